package org.convnext4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

class MixupCutmixTest {

    private static final int CLASSES = 10;
    private static final int HEIGHT = 16;
    private static final int WIDTH = 12;

    @Test
    void onlyLabelSmoothingWhenBothAlphasAreZero() {
        MixupCutmix smoothing = new MixupCutmix(new MixupCutmix.Settings(0, 0, 1.0, 0.5, 0.1), new SplittableRandom(1));
        DataSet batch = batch(4, 1);

        DataSet out = smoothing.apply(batch);

        assertArrayEquals(floats(batch.getFeatures()), floats(out.getFeatures()), 0f);
        float on = (float) (1 - 0.1 + 0.1 / CLASSES);
        float off = (float) (0.1 / CLASSES);
        float[] labels = floats(batch.getLabels());
        float[] targets = floats(out.getLabels());
        for (int i = 0; i < labels.length; i++) {
            assertEquals(labels[i] == 1f ? on : off, targets[i], 0f, "target " + i);
        }
    }

    @Test
    void targetRowsSumToOne() {
        MixupCutmix mix = new MixupCutmix(MixupCutmix.Settings.CONVNEXT, new SplittableRandom(2));
        for (int draw = 0; draw < 50; draw++) {
            DataSet out = mix.apply(batch(6, draw));
            INDArray sums = out.getLabels().sum(1);
            for (int i = 0; i < 6; i++) {
                assertEquals(1.0, sums.getDouble(i), 1e-6, "row " + i + " of draw " + draw);
            }
        }
    }

    @Test
    void mixupBlendsEachSampleWithItsMirrorInTheBatch() {
        MixupCutmix mix = new MixupCutmix(MixupCutmix.Settings.CONVNEXT, new SplittableRandom(3));
        DataSet batch = batch(3, 4);
        double lambda = 0.3;

        DataSet out = mix.apply(batch, new MixupCutmix.Mix(false, lambda, 0, 0, 0, 0));

        float[] x = floats(batch.getFeatures());
        float[] mixed = floats(out.getFeatures());
        int sample = 3 * HEIGHT * WIDTH;
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < sample; k++) {
                float expected = (float) (lambda * x[i * sample + k] + (1 - lambda) * x[(2 - i) * sample + k]);
                assertEquals(expected, mixed[i * sample + k], 1e-6f);
            }
            assertTargets(batch, out, i, 2 - i, lambda, 0.1);
        }
    }

    @Test
    void cutmixPastesTheMirrorsBoxAndWeighsLabelsByItsArea() {
        MixupCutmix cutmix = new MixupCutmix(new MixupCutmix.Settings(0, 1.0, 1.0, 0.5, 0.1), new SplittableRandom(5));
        int boxes = 0;
        for (int draw = 0; draw < 100; draw++) {
            DataSet batch = batch(4, draw);
            MixupCutmix.Mix mix = cutmix.draw(HEIGHT, WIDTH);
            DataSet out = cutmix.apply(batch, mix);

            assertTrue(mix.cutmix());
            assertTrue(0 <= mix.top() && mix.top() <= mix.bottom() && mix.bottom() <= HEIGHT, mix.toString());
            assertTrue(0 <= mix.left() && mix.left() <= mix.right() && mix.right() <= WIDTH, mix.toString());
            int area = (mix.bottom() - mix.top()) * (mix.right() - mix.left());
            boxes += area > 0 ? 1 : 0;
            assertEquals(1.0 - area / (double) (HEIGHT * WIDTH), mix.lambda(), 1e-12);
            float[] x = floats(batch.getFeatures());
            float[] mixed = floats(out.getFeatures());
            for (int i = 0; i < 4; i++) {
                int taken = 0;
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < HEIGHT; y++) {
                        for (int xx = 0; xx < WIDTH; xx++) {
                            boolean inBox = y >= mix.top() && y < mix.bottom() && xx >= mix.left() && xx < mix.right();
                            int at = ((c * HEIGHT) + y) * WIDTH + xx;
                            int source = inBox ? 3 - i : i;
                            assertEquals(x[source * 3 * HEIGHT * WIDTH + at], mixed[i * 3 * HEIGHT * WIDTH + at], 0f);
                            taken += mixed[i * 3 * HEIGHT * WIDTH + at] != x[i * 3 * HEIGHT * WIDTH + at] ? 1 : 0;
                        }
                    }
                }
                assertEquals(3 * area, taken, "pixels taken from the mirror");
                assertTargets(batch, out, i, 3 - i, mix.lambda(), 0.1);
            }
        }
        assertTrue(boxes > 50, "most draws paste a non-empty box: " + boxes);
    }

    @Test
    void switchesToCutmixHalfTheTime() {
        MixupCutmix mix = new MixupCutmix(MixupCutmix.Settings.CONVNEXT, new SplittableRandom(6));
        int draws = 10_000;
        int cutmix = 0;
        for (int i = 0; i < draws; i++) {
            cutmix += mix.draw(HEIGHT, WIDTH).cutmix() ? 1 : 0;
        }
        double sigma = Math.sqrt(draws * 0.5 * 0.5);
        assertEquals(draws * 0.5, cutmix, 4 * sigma);
    }

    @Test
    void mixupLambdaHasTheBetaDistributionsMeanAndVariance() {
        MixupCutmix mixupOnly = new MixupCutmix(new MixupCutmix.Settings(0.8, 0, 1.0, 0.5, 0.1), new SplittableRandom(7));
        int draws = 20_000;
        double[] lambdas = new double[draws];
        for (int i = 0; i < draws; i++) {
            lambdas[i] = mixupOnly.draw(HEIGHT, WIDTH).lambda();
        }
        assertBetaMoments(0.8, lambdas);
    }

    @Test
    void betaSamplerMatchesTheMomentsOfBeta() {
        SplittableRandom rng = new SplittableRandom(8);
        for (double alpha : new double[] {0.2, 0.8, 1.0, 2.5}) {
            double[] samples = new double[20_000];
            for (int i = 0; i < samples.length; i++) {
                samples[i] = BetaDistribution.symmetric(rng, alpha);
                assertTrue(samples[i] >= 0 && samples[i] <= 1, "sample " + samples[i]);
            }
            assertBetaMoments(alpha, samples);
        }
    }

    @Test
    void noMixWhenTheProbabilityIsZero() {
        MixupCutmix never = new MixupCutmix(new MixupCutmix.Settings(0.8, 1.0, 0.0, 0.5, 0.1), new SplittableRandom(9));
        for (int i = 0; i < 100; i++) {
            assertEquals(1.0, never.draw(HEIGHT, WIDTH).lambda());
        }
    }

    @Test
    void asAPreprocessorItMixesTheDataSetInPlaceLikeApply() {
        DataSet batch = batch(4, 10);
        DataSet expected = new MixupCutmix(MixupCutmix.Settings.CONVNEXT, new SplittableRandom(11)).apply(batch);

        DataSet inPlace = batch.copy();
        new MixupCutmix(MixupCutmix.Settings.CONVNEXT, new SplittableRandom(11)).preProcess(inPlace);

        assertArrayEquals(floats(expected.getFeatures()), floats(inPlace.getFeatures()), 0f);
        assertArrayEquals(floats(expected.getLabels()), floats(inPlace.getLabels()), 0f);
        assertFalse(Arrays.equals(floats(batch.getLabels()), floats(inPlace.getLabels())));
    }

    @Test
    void refusesSettingsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> new MixupCutmix.Settings(-1, 1, 1, 0.5, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new MixupCutmix.Settings(0.8, 1, 1.5, 0.5, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new MixupCutmix.Settings(0.8, 1, 1, 0.5, Double.NaN));
    }

    /**
     * Sample mean within 4σ of Beta(α, α)'s 1/2, and sample variance within 4σ of 1/(4(2α+1)), using
     * the fourth central moment σ⁴(3 − 6/(2α+3)) for the variance's own spread.
     */
    private static void assertBetaMoments(double alpha, double[] samples) {
        int n = samples.length;
        double variance = 1.0 / (4 * (2 * alpha + 1));
        double fourth = variance * variance * (3 - 6 / (2 * alpha + 3));
        double mean = Arrays.stream(samples).average().orElseThrow();
        double sampleVariance = Arrays.stream(samples).map(s -> (s - mean) * (s - mean)).sum() / (n - 1);
        assertEquals(0.5, mean, 4 * Math.sqrt(variance / n), "mean for alpha " + alpha);
        assertEquals(variance, sampleVariance, 4 * Math.sqrt((fourth - variance * variance) / n), "variance for alpha " + alpha);
    }

    /** Row i's targets: λ·smooth(y_i) + (1−λ)·smooth(y_partner). */
    private static void assertTargets(DataSet batch, DataSet out, int i, int partner, double lambda, double smoothing) {
        double off = smoothing / CLASSES;
        double on = 1 - smoothing + off;
        for (int k = 0; k < CLASSES; k++) {
            double own = batch.getLabels().getDouble(i, k) == 1 ? on : off;
            double other = batch.getLabels().getDouble(partner, k) == 1 ? on : off;
            assertEquals(lambda * own + (1 - lambda) * other, out.getLabels().getDouble(i, k), 1e-6, "target " + i + "," + k);
        }
    }

    /** Random NCHW features and one-hot labels of distinct classes. */
    private static DataSet batch(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] features = new float[n * 3 * HEIGHT * WIDTH];
        for (int i = 0; i < features.length; i++) {
            features[i] = (float) random.nextDouble(-2, 2);
        }
        float[] labels = new float[n * CLASSES];
        int first = random.nextInt(CLASSES);
        for (int i = 0; i < n; i++) {
            labels[i * CLASSES + (first + i) % CLASSES] = 1f;
        }
        return new DataSet(Nd4j.create(features, new long[] {n, 3, HEIGHT, WIDTH}, 'c'),
                Nd4j.create(labels, new long[] {n, CLASSES}, 'c'));
    }

    private static float[] floats(INDArray array) {
        return array.dup('c').data().asFloat();
    }
}
