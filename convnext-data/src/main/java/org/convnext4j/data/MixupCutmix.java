package org.convnext4j.data;

import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Mixup and CutMix over a whole batch with label smoothing folded into the soft targets, as timm's
 * {@code Mixup(mode='batch')} that ConvNeXt trains with.
 *
 * <p>Per batch: with probability {@code prob} a mix is drawn, CutMix with probability
 * {@code switchProb} when both α are positive (else whichever is positive), with λ ~ Beta(α, α).
 * Each sample i is mixed with sample n−1−i (the batch flipped): mixup takes
 * {@code λ·x + (1−λ)·flip(x)}; CutMix pastes a box of {@code flip(x)} (timm's {@code rand_bbox}:
 * sides {@code int(side·sqrt(1−λ))}, centre uniform, clipped to the image) and λ becomes the share
 * of the image left uncovered. Targets are {@code λ·smooth(y) + (1−λ)·smooth(flip(y))} with
 * {@code smooth(y) = y·on + (1−y)·off}, {@code off = smoothing/classes},
 * {@code on = 1 − smoothing + off}. With no mix (both α zero, or the {@code prob} draw failing) only
 * the smoothing applies. An odd batch's middle sample is mixed with itself.
 *
 * <p>All draws come from the generator given, so a seeded one gives the same mixes on every run. A
 * run that resumes mid-epoch repeats them only if each batch has its own generator, e.g. a new
 * {@code MixupCutmix(settings, Seeds.generator(seed, epoch, batchIndex))} per batch (cheap).
 */
public final class MixupCutmix implements DataSetPreProcessor {

    /**
     * @param mixupAlpha α of mixup's Beta(α, α); 0 turns mixup off
     * @param cutmixAlpha α of CutMix's Beta(α, α); 0 turns CutMix off
     * @param prob probability that a batch is mixed at all
     * @param switchProb probability of CutMix rather than mixup when both are on
     * @param labelSmoothing share of each target spread evenly over all classes
     */
    public record Settings(double mixupAlpha, double cutmixAlpha, double prob, double switchProb,
            double labelSmoothing) {

        /** ConvNeXt's ImageNet recipe: {@code --mixup 0.8 --cutmix 1.0 --smoothing 0.1}. */
        public static final Settings CONVNEXT = new Settings(0.8, 1.0, 1.0, 0.5, 0.1);

        public Settings {
            if (mixupAlpha < 0 || cutmixAlpha < 0) {
                throw new IllegalArgumentException("mixup and cutmix alpha must be >= 0, got "
                        + mixupAlpha + " and " + cutmixAlpha);
            }
            requireProbability("prob", prob);
            requireProbability("switch prob", switchProb);
            requireProbability("label smoothing", labelSmoothing);
        }

        private static void requireProbability(String name, double value) {
            if (!(value >= 0.0 && value <= 1.0)) {
                throw new IllegalArgumentException(name + " must be in [0, 1], got " + value);
            }
        }
    }

    /**
     * One batch's draw. {@code lambda} is the weight of each sample's own image and label. For
     * CutMix the pasted box is rows [top, bottom) and columns [left, right); for mixup it is empty.
     */
    public record Mix(boolean cutmix, double lambda, int top, int bottom, int left, int right) {

        static Mix none() {
            return new Mix(false, 1.0, 0, 0, 0, 0);
        }
    }

    private final Settings settings;
    private final RandomGenerator rng;

    public MixupCutmix(Settings settings, RandomGenerator rng) {
        this.settings = settings;
        this.rng = rng;
    }

    /** Draws the next batch's mix for images of {@code height}×{@code width}, in timm's order of draws. */
    public Mix draw(int height, int width) {
        boolean mixup = settings.mixupAlpha() > 0;
        boolean cutmix = settings.cutmixAlpha() > 0;
        if (!(mixup || cutmix) || !(rng.nextDouble() < settings.prob())) {
            return Mix.none();
        }
        boolean useCutmix = mixup && cutmix ? rng.nextDouble() < settings.switchProb() : cutmix;
        double lambda = BetaDistribution.symmetric(rng, useCutmix ? settings.cutmixAlpha() : settings.mixupAlpha());
        return useCutmix ? box(lambda, height, width) : new Mix(false, lambda, 0, 0, 0, 0);
    }

    /** Returns a new data set: the batch mixed with a fresh draw, targets smoothed and mixed. */
    public DataSet apply(DataSet batch) {
        INDArray features = batch.getFeatures();
        return apply(batch, draw((int) features.size(2), (int) features.size(3)));
    }

    /** Returns a new data set: the batch mixed by {@code mix}, targets smoothed and mixed. */
    public DataSet apply(DataSet batch, Mix mix) {
        return new DataSet(mixImages(batch.getFeatures(), mix), mixTargets(batch.getLabels(), mix.lambda()));
    }

    /** Replaces the data set's features and labels with mixed ones. */
    @Override
    public void preProcess(org.nd4j.linalg.dataset.api.DataSet batch) {
        INDArray features = batch.getFeatures();
        Mix mix = draw((int) features.size(2), (int) features.size(3));
        batch.setFeatures(mixImages(features, mix));
        batch.setLabels(mixTargets(batch.getLabels(), mix.lambda()));
    }

    /** timm's {@code rand_bbox} and {@code cutmix_bbox_and_lam(correct_lam=True)}. */
    private Mix box(double lambda, int height, int width) {
        double ratio = Math.sqrt(1.0 - lambda);
        int cutHeight = (int) (height * ratio);
        int cutWidth = (int) (width * ratio);
        int centreY = rng.nextInt(height);
        int centreX = rng.nextInt(width);
        int top = clip(centreY - cutHeight / 2, height);
        int bottom = clip(centreY + cutHeight / 2, height);
        int left = clip(centreX - cutWidth / 2, width);
        int right = clip(centreX + cutWidth / 2, width);
        double covered = (double) (bottom - top) * (right - left) / ((double) height * width);
        return new Mix(true, 1.0 - covered, top, bottom, left, right);
    }

    private static int clip(int value, int size) {
        return Math.max(0, Math.min(size, value));
    }

    private static INDArray mixImages(INDArray features, Mix mix) {
        long[] shape = features.shape();
        float[] x = floats(features);
        float[] mixed = x.clone();
        int n = (int) shape[0];
        int channels = (int) shape[1];
        int height = (int) shape[2];
        int width = (int) shape[3];
        int sampleLength = channels * height * width;
        if (mix.cutmix()) {
            for (int i = 0; i < n; i++) {
                int partner = n - 1 - i;
                for (int c = 0; c < channels; c++) {
                    for (int y = mix.top(); y < mix.bottom(); y++) {
                        int row = (c * height + y) * width;
                        System.arraycopy(x, partner * sampleLength + row + mix.left(),
                                mixed, i * sampleLength + row + mix.left(), mix.right() - mix.left());
                    }
                }
            }
        } else if (mix.lambda() != 1.0) {
            float own = (float) mix.lambda();
            float other = (float) (1.0 - mix.lambda());
            for (int i = 0; i < n; i++) {
                int partner = n - 1 - i;
                for (int k = 0; k < sampleLength; k++) {
                    mixed[i * sampleLength + k] = x[i * sampleLength + k] * own + x[partner * sampleLength + k] * other;
                }
            }
        }
        return Nd4j.create(mixed, shape, 'c');
    }

    private INDArray mixTargets(INDArray labels, double lambda) {
        long[] shape = labels.shape();
        float[] y = floats(labels);
        int n = (int) shape[0];
        int classes = (int) shape[1];
        double off = settings.labelSmoothing() / classes;
        double on = 1.0 - settings.labelSmoothing() + off;
        float[] targets = new float[y.length];
        for (int i = 0; i < n; i++) {
            int partner = n - 1 - i;
            for (int k = 0; k < classes; k++) {
                double own = y[i * classes + k] * on + (1.0 - y[i * classes + k]) * off;
                double other = y[partner * classes + k] * on + (1.0 - y[partner * classes + k]) * off;
                targets[i * classes + k] = (float) (lambda * own + (1.0 - lambda) * other);
            }
        }
        return Nd4j.create(targets, shape, 'c');
    }

    private static float[] floats(INDArray array) {
        return array.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }
}
