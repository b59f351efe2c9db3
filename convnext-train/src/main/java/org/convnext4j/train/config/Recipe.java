package org.convnext4j.train.config;

import java.util.List;

import org.convnext4j.model.optim.LayerDecay;

/**
 * A training recipe, sectioned like its YAML file. What each key means, its default and the values it accepts are
 * defined once, in {@link RecipeKeys}; {@link RecipeLoader} checks every value against its key as it binds. The
 * records check only what relates keys to each other.
 */
public record Recipe(Model model, Data data, Augment augment, Optimizer optimizer, Schedule schedule,
                     Training training, Output output) {

    public Recipe {
        require(schedule.minLr() <= optimizer.lr(), RecipeKeys.MIN_LR.path(), schedule.minLr(),
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
    }

    /** An ImageNet-style folder {@code root/<split>/<class>/*}. */
    public record Data(String root, String trainSplit, String valSplit, int batchSize, int workers,
                       Integer perClassLimit, double fraction) {
    }

    /** The training transform and the batch-level mixing. {@code randAugment} empty: colour jitter instead. */
    public record Augment(List<Double> scale, List<Double> ratio, double hflip, String randAugment, double colorJitter,
                          double reprob, double mixup, double cutmix, double mixupSwitchProb, double labelSmoothing,
                          double evalCropPct) {
    }

    /**
     * AdamW with decoupled weight decay; no decay on biases, norms, layer-scale gammas and GRN's parameters.
     * {@code layerDecayType}: how layer decay numbers the layers ({@code group} or {@code single}, see LayerDecay).
     */
    public record Optimizer(double lr, double weightDecay, List<Double> betas, double eps, double layerDecay,
                            LayerDecay.Scheme layerDecayType, Double clipGrad) {
    }

    /** Per-iteration linear warm-up then cosine decay to {@code minLr}; weight decay may follow its own cosine. */
    public record Schedule(int epochs, double warmupEpochs, double minLr, Double weightDecayEnd) {
        public Schedule {
            require(warmupEpochs < epochs, RecipeKeys.WARMUP_EPOCHS.path(), warmupEpochs, "less than schedule.epochs (" + epochs + ")");
        }
    }

    /** The loop: gradient accumulation, EMA, checkpoints, logging, and the one seed all randomness derives from. */
    public record Training(int updateFreq, boolean ema, double emaDecay, long seed, int saveEvery, int keepLast, int logEvery) {
    }

    public record Output(String dir) {
        public Output {
            RecipeKeys.DIR.check(java.util.Objects.requireNonNull(dir, "dir"));   // also built from --output
        }
    }

    private static void require(boolean ok, String key, Object value, String expected) {
        if (!ok) {
            throw new ConfigException(key + " is " + value + ", expected " + expected);
        }
    }
}
