package org.convnext4j.train.config;

import java.util.List;

import org.convnext4j.model.optim.LayerDecay;

/** A training recipe, sectioned like its YAML file. Every value is validated where its record is built. */
public record Recipe(Model model, Data data, Augment augment, Optimizer optimizer, Schedule schedule,
                     Training training, Output output) {

    public Recipe {
        require(schedule.minLr() <= optimizer.lr(), "schedule.min_lr", schedule.minLr(),
                "at most optimizer.lr (" + optimizer.lr() + ")");
    }

    /** This recipe writing into {@code dir} (the command line's {@code --output}, a path taken as it is). */
    public Recipe withOutputDir(String dir) {
        return new Recipe(model, data, augment, optimizer, schedule, training, new Output(dir));
    }

    /**
     * The network. {@code numClasses} null means: as many as the data has. {@code pretrained}: weights to
     * start from. {@code freezeStages}: the stem and this many stages keep their weights (0 to 4).
     */
    public record Model(String variant, Integer numClasses, int imageSize, double dropPathRate, Double layerScaleInit,
                        double headInitScale, String pretrained, int freezeStages) {
        public Model {
            require(variant != null && !variant.isBlank(), "model.variant", variant, "a variant name");
            require(numClasses == null || numClasses >= 1, "model.num_classes", numClasses, ">= 1");
            require(imageSize >= 32, "model.image_size", imageSize, ">= 32");
            require(dropPathRate >= 0 && dropPathRate < 1, "model.drop_path_rate", dropPathRate, "in [0, 1)");
            require(layerScaleInit == null || layerScaleInit >= 0, "model.layer_scale_init", layerScaleInit,
                    ">= 0 (0 disables layer scale), or left out for the variant's own (1e-6; none in V2)");
            require(headInitScale > 0, "model.head_init_scale", headInitScale, "> 0");
            require(freezeStages >= 0 && freezeStages <= 4, "model.freeze_stages", freezeStages, "0 to 4");
        }
    }

    /** An ImageNet-style folder {@code root/<split>/<class>/*}. */
    public record Data(String root, String trainSplit, String valSplit, int batchSize, int workers,
                       Integer perClassLimit, double fraction) {
        public Data {
            require(root != null && !root.isBlank(), "data.root", root, "a folder");
            require(batchSize >= 1, "data.batch_size", batchSize, ">= 1");
            require(workers >= 1, "data.workers", workers, ">= 1");
            require(perClassLimit == null || perClassLimit >= 1, "data.per_class_limit", perClassLimit, ">= 1");
            require(fraction > 0 && fraction <= 1, "data.fraction", fraction, "in (0, 1]");
        }
    }

    /** The training transform and the batch-level mixing. {@code randAugment} empty: colour jitter instead. */
    public record Augment(List<Double> scale, List<Double> ratio, double hflip, String randAugment, double colorJitter,
                          double reprob, double mixup, double cutmix, double mixupSwitchProb, double labelSmoothing,
                          double evalCropPct) {
        public Augment {
            require(scale.get(0) > 0 && scale.get(0) <= scale.get(1) && scale.get(1) <= 1, "augment.scale", scale, "0 < min <= max <= 1");
            require(ratio.get(0) > 0 && ratio.get(0) <= ratio.get(1), "augment.ratio", ratio, "0 < min <= max");
            require(hflip >= 0 && hflip <= 1, "augment.hflip", hflip, "a probability");
            require(colorJitter >= 0, "augment.color_jitter", colorJitter, ">= 0");
            require(reprob >= 0 && reprob <= 1, "augment.reprob", reprob, "a probability");
            require(mixup >= 0, "augment.mixup", mixup, ">= 0 (Beta alpha; 0 disables)");
            require(cutmix >= 0, "augment.cutmix", cutmix, ">= 0 (Beta alpha; 0 disables)");
            require(mixupSwitchProb >= 0 && mixupSwitchProb <= 1, "augment.mixup_switch_prob", mixupSwitchProb, "a probability");
            require(labelSmoothing >= 0 && labelSmoothing < 1, "augment.label_smoothing", labelSmoothing, "in [0, 1)");
            require(evalCropPct > 0 && evalCropPct <= 1, "augment.eval_crop_pct", evalCropPct, "in (0, 1]");
        }
    }

    /**
     * AdamW with decoupled weight decay; no decay on biases, norms, layer-scale gammas and GRN's parameters.
     * {@code layerDecayType}: how layer decay numbers the layers ({@code group} or {@code single}, see LayerDecay).
     */
    public record Optimizer(double lr, double weightDecay, List<Double> betas, double eps, double layerDecay,
                            LayerDecay.Scheme layerDecayType, Double clipGrad) {
        public Optimizer {
            require(lr > 0, "optimizer.lr", lr, "> 0");
            require(weightDecay >= 0, "optimizer.weight_decay", weightDecay, ">= 0");
            require(betas.get(0) >= 0 && betas.get(0) < 1 && betas.get(1) >= 0 && betas.get(1) < 1, "optimizer.betas", betas,
                    "two values in [0, 1)");
            require(eps > 0, "optimizer.eps", eps, "> 0");
            require(layerDecay > 0 && layerDecay <= 1, "optimizer.layer_decay", layerDecay, "in (0, 1] (1 disables it)");
            require(clipGrad == null || clipGrad > 0, "optimizer.clip_grad", clipGrad, "> 0, or absent");
        }
    }

    /** Per-iteration linear warm-up then cosine decay to {@code minLr}; weight decay may follow its own cosine. */
    public record Schedule(int epochs, double warmupEpochs, double minLr, Double weightDecayEnd) {
        public Schedule {
            require(epochs >= 1, "schedule.epochs", epochs, ">= 1");
            require(warmupEpochs >= 0 && warmupEpochs < epochs, "schedule.warmup_epochs", warmupEpochs, "in [0, epochs)");
            require(minLr >= 0, "schedule.min_lr", minLr, ">= 0");
            require(weightDecayEnd == null || weightDecayEnd >= 0, "schedule.weight_decay_end", weightDecayEnd, ">= 0, or absent");
        }
    }

    /** The loop: gradient accumulation, EMA, checkpoints, logging, and the one seed all randomness derives from. */
    public record Training(int updateFreq, boolean ema, double emaDecay, long seed, int saveEvery, int keepLast, int logEvery) {
        public Training {
            require(updateFreq >= 1, "training.update_freq", updateFreq, ">= 1");
            require(emaDecay > 0 && emaDecay < 1, "training.ema_decay", emaDecay, "in (0, 1)");
            require(saveEvery >= 1, "training.save_every", saveEvery, ">= 1");
            require(keepLast >= 1, "training.keep_last", keepLast, ">= 1");
            require(logEvery >= 1, "training.log_every", logEvery, ">= 1");
        }
    }

    public record Output(String dir) {
        public Output {
            require(dir != null && !dir.isBlank(), "output.dir", dir, "a folder");
        }
    }

    private static void require(boolean ok, String key, Object value, String expected) {
        if (!ok) {
            throw new ConfigException(key + " is " + value + ", expected " + expected);
        }
    }
}
