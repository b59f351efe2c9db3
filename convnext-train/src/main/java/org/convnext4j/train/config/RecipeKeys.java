package org.convnext4j.train.config;

import static org.convnext4j.train.config.RecipeKey.OnResume.APPLIED;
import static org.convnext4j.train.config.RecipeKey.OnResume.IGNORED;
import static org.convnext4j.train.config.RecipeKey.OnResume.REFUSED;

import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

import org.convnext4j.data.EvalTransform;
import org.convnext4j.model.optim.LayerDecay;

/**
 * Every recipe key, once, in the order of the YAML file and of the {@link Recipe} records' components. The
 * defaults are the official ConvNeXt ImageNet-1K recipe's. {@code RecipeKeysTest} holds the records, this list
 * and the README's recipe reference to each other.
 */
public final class RecipeKeys {

    private RecipeKeys() {
    }

    // model
    public static final RecipeKey<String> VARIANT = required("model.variant", RecipeKey.STRING, v -> !v.isBlank(),
            "a variant name", REFUSED, r -> r.model().variant(), "the architecture: `convnext_atto` … `convnextv2_huge`");
    public static final RecipeKey<Integer> NUM_CLASSES = optional("model.num_classes", RecipeKey.INTEGER, v -> v >= 1, ">= 1",
            REFUSED, r -> r.model().numClasses(), "classifier outputs; none: as many as the data has classes (must agree if given)");
    public static final RecipeKey<Integer> IMAGE_SIZE = key("model.image_size", RecipeKey.INTEGER, 224, v -> v >= 32, ">= 32",
            REFUSED, r -> r.model().imageSize(), "training and evaluation input size in pixels (total stride 32)");
    public static final RecipeKey<Double> DROP_PATH_RATE = key("model.drop_path_rate", RecipeKey.NUMBER, 0.1,
            v -> v >= 0 && v < 1, "in [0, 1)", REFUSED, r -> r.model().dropPathRate(),
            "stochastic depth of the last block; the rate rises linearly from 0 over the blocks");
    public static final RecipeKey<Double> LAYER_SCALE_INIT = optional("model.layer_scale_init", RecipeKey.NUMBER, v -> v >= 0,
            ">= 0 (0 disables layer scale), or left out for the variant's own (1e-6; none in V2)", REFUSED,
            r -> r.model().layerScaleInit(), "initial layer scale γ; none: the variant's own (1e-6, none in V2)");
    public static final RecipeKey<Double> HEAD_INIT_SCALE = key("model.head_init_scale", RecipeKey.NUMBER, 1.0, v -> v > 0, "> 0",
            REFUSED, r -> r.model().headInitScale(), "factor on the initial head weights and bias (0.001 when fine-tuning)");
    public static final RecipeKey<String> PRETRAINED = optional("model.pretrained", RecipeKey.STRING, v -> !v.isBlank(),
            "a file", IGNORED, r -> r.model().pretrained(),
            "weights to start from: our model file, or PyTorch `.pth`/`.safetensors` (a new head if the classes differ)");
    public static final RecipeKey<Integer> FREEZE_STAGES = key("model.freeze_stages", RecipeKey.INTEGER, 0, v -> v >= 0 && v <= 4,
            "0 to 4", REFUSED, r -> r.model().freezeStages(), "the stem and this many stages keep their weights");

    // data
    public static final RecipeKey<String> ROOT = required("data.root", RecipeKey.STRING, v -> !v.isBlank(), "a folder",
            REFUSED, r -> r.data().root(), "an ImageNet-style folder `root/<split>/<class>/*`");
    public static final RecipeKey<String> TRAIN_SPLIT = key("data.train_split", RecipeKey.STRING, "train", v -> !v.isBlank(),
            "a folder name", REFUSED, r -> r.data().trainSplit(), "the training split's folder under `root`");
    public static final RecipeKey<String> VAL_SPLIT = key("data.val_split", RecipeKey.STRING, "val", v -> !v.isBlank(),
            "a folder name", APPLIED, r -> r.data().valSplit(), "the validation split's folder under `root`");
    public static final RecipeKey<Integer> BATCH_SIZE = key("data.batch_size", RecipeKey.INTEGER, 64, v -> v >= 1, ">= 1",
            REFUSED, r -> r.data().batchSize(), "images per micro-batch (the effective batch is this × `training.update_freq`)");
    public static final RecipeKey<Integer> WORKERS = key("data.workers", RecipeKey.INTEGER, 2, v -> v >= 1, ">= 1",
            APPLIED, r -> r.data().workers(), "decoding and augmentation threads; batches are the same for any count");
    public static final RecipeKey<Integer> PER_CLASS_LIMIT = optional("data.per_class_limit", RecipeKey.INTEGER, v -> v >= 1,
            ">= 1", REFUSED, r -> r.data().perClassLimit(), "at most this many training images per class (a seeded draw); none: all");
    public static final RecipeKey<Double> FRACTION = key("data.fraction", RecipeKey.NUMBER, 1.0, v -> v > 0 && v <= 1,
            "in (0, 1]", REFUSED, r -> r.data().fraction(), "this share of each class's training images (a seeded draw)");

    // augment
    public static final RecipeKey<List<Double>> SCALE = key("augment.scale", RecipeKey.PAIR, List.of(0.08, 1.0),
            v -> v.get(0) > 0 && v.get(0) <= v.get(1) && v.get(1) <= 1, "0 < min <= max <= 1", APPLIED,
            r -> r.augment().scale(), "RandomResizedCrop's area range");
    public static final RecipeKey<List<Double>> RATIO = key("augment.ratio", RecipeKey.PAIR, List.of(3.0 / 4, 4.0 / 3),
            v -> v.get(0) > 0 && v.get(0) <= v.get(1), "0 < min <= max", APPLIED,
            r -> r.augment().ratio(), "RandomResizedCrop's aspect-ratio range");
    public static final RecipeKey<Double> HFLIP = key("augment.hflip", RecipeKey.NUMBER, 0.5, RecipeKeys::probability,
            "a probability", APPLIED, r -> r.augment().hflip(), "horizontal flip probability");
    public static final RecipeKey<String> RAND_AUGMENT = key("augment.rand_augment", RecipeKey.STRING, "rand-m9-mstd0.5-inc1",
            v -> true, "a string", APPLIED, r -> r.augment().randAugment(),
            "timm's RandAugment policy; `\"\"`: colour jitter instead");
    public static final RecipeKey<Double> COLOR_JITTER = key("augment.color_jitter", RecipeKey.NUMBER, 0.4, v -> v >= 0, ">= 0",
            APPLIED, r -> r.augment().colorJitter(), "brightness, contrast and saturation jitter, used when `rand_augment` is empty");
    public static final RecipeKey<Double> REPROB = key("augment.reprob", RecipeKey.NUMBER, 0.25, RecipeKeys::probability,
            "a probability", APPLIED, r -> r.augment().reprob(), "random erasing probability");
    public static final RecipeKey<Double> MIXUP = key("augment.mixup", RecipeKey.NUMBER, 0.8, v -> v >= 0,
            ">= 0 (Beta alpha; 0 disables)", APPLIED, r -> r.augment().mixup(), "mixup's Beta alpha; 0 disables it");
    public static final RecipeKey<Double> CUTMIX = key("augment.cutmix", RecipeKey.NUMBER, 1.0, v -> v >= 0,
            ">= 0 (Beta alpha; 0 disables)", APPLIED, r -> r.augment().cutmix(), "cutmix's Beta alpha; 0 disables it");
    public static final RecipeKey<Double> MIXUP_SWITCH_PROB = key("augment.mixup_switch_prob", RecipeKey.NUMBER, 0.5,
            RecipeKeys::probability, "a probability", APPLIED, r -> r.augment().mixupSwitchProb(),
            "with both on, the probability of cutmix rather than mixup for a batch");
    public static final RecipeKey<Double> LABEL_SMOOTHING = key("augment.label_smoothing", RecipeKey.NUMBER, 0.1,
            v -> v >= 0 && v < 1, "in [0, 1)", APPLIED, r -> r.augment().labelSmoothing(), "label smoothing of the targets");
    public static final RecipeKey<Double> EVAL_CROP_PCT = key("augment.eval_crop_pct", RecipeKey.NUMBER,
            EvalTransform.DEFAULT_CROP_PCT, v -> v > 0 && v <= 1, "in (0, 1]", APPLIED, r -> r.augment().evalCropPct(),
            "evaluation: resize to size / this, then centre-crop; saved with the model for `eval` and `predict`");

    // optimizer
    public static final RecipeKey<Double> LR = key("optimizer.lr", RecipeKey.NUMBER, 4e-3, v -> v > 0, "> 0", APPLIED,
            r -> r.optimizer().lr(), "peak learning rate (of the head; layer decay scales the others)");
    public static final RecipeKey<Double> WEIGHT_DECAY = key("optimizer.weight_decay", RecipeKey.NUMBER, 0.05, v -> v >= 0, ">= 0",
            APPLIED, r -> r.optimizer().weightDecay(), "AdamW's decoupled weight decay, on weights only (not biases, norms, γ, GRN)");
    public static final RecipeKey<List<Double>> BETAS = key("optimizer.betas", RecipeKey.PAIR, List.of(0.9, 0.999),
            v -> v.get(0) >= 0 && v.get(0) < 1 && v.get(1) >= 0 && v.get(1) < 1, "two values in [0, 1)", APPLIED,
            r -> r.optimizer().betas(), "AdamW's β1, β2");
    public static final RecipeKey<Double> EPS = key("optimizer.eps", RecipeKey.NUMBER, 1e-8, v -> v > 0, "> 0", APPLIED,
            r -> r.optimizer().eps(), "AdamW's ε, added after the bias correction as PyTorch does");
    public static final RecipeKey<Double> LAYER_DECAY = key("optimizer.layer_decay", RecipeKey.NUMBER, 1.0, v -> v > 0 && v <= 1,
            "in (0, 1] (1 disables it)", APPLIED, r -> r.optimizer().layerDecay(),
            "layer-wise learning-rate decay: each layer's rate is scaled by this per layer below the head");
    public static final RecipeKey<LayerDecay.Scheme> LAYER_DECAY_TYPE = key("optimizer.layer_decay_type",
            RecipeKey.LAYER_DECAY_SCHEME, LayerDecay.Scheme.GROUP, v -> true, "group or single", APPLIED,
            r -> r.optimizer().layerDecayType(), "how layer decay numbers the layers: ConvNeXt's 14 groups, or every block its own (V2)");
    public static final RecipeKey<Double> CLIP_GRAD = optional("optimizer.clip_grad", RecipeKey.NUMBER, v -> v > 0, "> 0, or absent",
            APPLIED, r -> r.optimizer().clipGrad(), "clip the gradient's global norm to this, as PyTorch clips; none: no clipping");

    // schedule
    public static final RecipeKey<Integer> EPOCHS = key("schedule.epochs", RecipeKey.INTEGER, 300, v -> v >= 1, ">= 1", APPLIED,
            r -> r.schedule().epochs(), "epochs to train; more on resume extends a run");
    public static final RecipeKey<Double> WARMUP_EPOCHS = key("schedule.warmup_epochs", RecipeKey.NUMBER, 20.0, v -> v >= 0,
            "in [0, epochs)", APPLIED, r -> r.schedule().warmupEpochs(), "linear warm-up, per optimizer step, before the cosine decay");
    public static final RecipeKey<Double> MIN_LR = key("schedule.min_lr", RecipeKey.NUMBER, 1e-6, v -> v >= 0, ">= 0", APPLIED,
            r -> r.schedule().minLr(), "where the cosine ends; at most `optimizer.lr`");
    public static final RecipeKey<Double> WEIGHT_DECAY_END = optional("schedule.weight_decay_end", RecipeKey.NUMBER, v -> v >= 0,
            ">= 0, or absent", APPLIED, r -> r.schedule().weightDecayEnd(),
            "weight decay follows a cosine from `optimizer.weight_decay` to this; none: constant");

    // training
    public static final RecipeKey<Integer> UPDATE_FREQ = key("training.update_freq", RecipeKey.INTEGER, 1, v -> v >= 1, ">= 1",
            REFUSED, r -> r.training().updateFreq(), "micro-batches whose gradients make one optimizer step");
    public static final RecipeKey<Boolean> EMA = key("training.ema", RecipeKey.BOOLEAN, false, v -> true, "true or false",
            APPLIED, r -> r.training().ema(), "keep an exponential moving average of the weights, evaluated and saved beside them");
    public static final RecipeKey<Double> EMA_DECAY = key("training.ema_decay", RecipeKey.NUMBER, 0.9999, v -> v > 0 && v < 1,
            "in (0, 1)", APPLIED, r -> r.training().emaDecay(), "the EMA's decay per optimizer step");
    public static final RecipeKey<Long> SEED = key("training.seed", RecipeKey.LONG, 0L, v -> true, "a whole number", REFUSED,
            r -> r.training().seed(), "the one seed every random draw derives from");
    public static final RecipeKey<Integer> SAVE_EVERY = key("training.save_every", RecipeKey.INTEGER, 1, v -> v >= 1, ">= 1",
            APPLIED, r -> r.training().saveEvery(), "a checkpoint every this many epochs (and after the last; `best` whenever it improves)");
    public static final RecipeKey<Integer> KEEP_LAST = key("training.keep_last", RecipeKey.INTEGER, 3, v -> v >= 1, ">= 1",
            APPLIED, r -> r.training().keepLast(), "epoch checkpoints kept; older ones are deleted");
    public static final RecipeKey<Integer> LOG_EVERY = key("training.log_every", RecipeKey.INTEGER, 50, v -> v >= 1, ">= 1",
            APPLIED, r -> r.training().logEvery(), "a progress line every this many batches");

    // output
    public static final RecipeKey<String> DIR = optional("output.dir", RecipeKey.STRING, v -> !v.isBlank(), "a folder", APPLIED,
            r -> r.output().dir(), "where checkpoints, metrics and logs go; left out: `runs/<model.variant>`");

    /** Every key, in YAML order. */
    public static final List<RecipeKey<?>> ALL = List.of(
            VARIANT, NUM_CLASSES, IMAGE_SIZE, DROP_PATH_RATE, LAYER_SCALE_INIT, HEAD_INIT_SCALE, PRETRAINED, FREEZE_STAGES,
            ROOT, TRAIN_SPLIT, VAL_SPLIT, BATCH_SIZE, WORKERS, PER_CLASS_LIMIT, FRACTION,
            SCALE, RATIO, HFLIP, RAND_AUGMENT, COLOR_JITTER, REPROB, MIXUP, CUTMIX, MIXUP_SWITCH_PROB, LABEL_SMOOTHING,
            EVAL_CROP_PCT,
            LR, WEIGHT_DECAY, BETAS, EPS, LAYER_DECAY, LAYER_DECAY_TYPE, CLIP_GRAD,
            EPOCHS, WARMUP_EPOCHS, MIN_LR, WEIGHT_DECAY_END,
            UPDATE_FREQ, EMA, EMA_DECAY, SEED, SAVE_EVERY, KEEP_LAST, LOG_EVERY,
            DIR);

    /** The README's recipe reference: one row per key. */
    public static String markdownTable() {
        StringBuilder table = new StringBuilder("| key | type | default | accepts | on resume | what it does |\n")
                .append("|---|---|---|---|---|---|\n");
        for (RecipeKey<?> key : ALL) {
            table.append("| `").append(key.path()).append("` | ").append(key.type().label()).append(" | ")
                    .append(key.defaultText()).append(" | ").append(key.expected()).append(" | ")
                    .append(key.onResume().name().toLowerCase(java.util.Locale.ROOT)).append(" | ").append(key.doc())
                    .append(" |\n");
        }
        return table.toString();
    }

    private static boolean probability(double p) {
        return p >= 0 && p <= 1;
    }

    private static <T> RecipeKey<T> key(String path, RecipeKey.Type<T> type, T fallback, Predicate<T> accepts, String expected,
                                        RecipeKey.OnResume onResume, Function<Recipe, T> value, String doc) {
        int dot = path.indexOf('.');
        return new RecipeKey<>(path.substring(0, dot), path.substring(dot + 1), type, fallback, false, accepts, expected, doc,
                onResume, value);
    }

    private static <T> RecipeKey<T> optional(String path, RecipeKey.Type<T> type, Predicate<T> accepts, String expected,
                                             RecipeKey.OnResume onResume, Function<Recipe, T> value, String doc) {
        int dot = path.indexOf('.');
        return new RecipeKey<>(path.substring(0, dot), path.substring(dot + 1), type, null, true, accepts, expected, doc,
                onResume, value);
    }

    private static <T> RecipeKey<T> required(String path, RecipeKey.Type<T> type, Predicate<T> accepts, String expected,
                                             RecipeKey.OnResume onResume, Function<Recipe, T> value, String doc) {
        int dot = path.indexOf('.');
        return new RecipeKey<>(path.substring(0, dot), path.substring(dot + 1), type, null, false, accepts, expected, doc,
                onResume, value);
    }
}
