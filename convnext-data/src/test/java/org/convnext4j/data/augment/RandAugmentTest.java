package org.convnext4j.data.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.convnext4j.data.Fixtures;
import org.junit.jupiter.api.Test;

class RandAugmentTest {

    private static final int FILL = 0x7C7468;

    @Test
    void parsesTheConvnextConfig() {
        RandAugment ra = parse("rand-m9-mstd0.5-inc1");

        assertEquals(new RandAugment(9, 2, 0.5, 0.5, 10, true, Interpolation.BICUBIC, FILL), ra);
        assertEquals(AugmentOp.INCREASING, ra.ops());
    }

    @Test
    void parsesEveryKeyInAnyOrder() {
        assertEquals(new RandAugment(7, 4, 0.5, 0.5, 10, true, Interpolation.BICUBIC, FILL),
                parse("rand-m7-n4-mstd0.5-inc1"));
        assertEquals(new RandAugment(5, 3, 0.7, 0.0, 15, false, Interpolation.BICUBIC, FILL),
                parse("rand-n3-mmax15-p0.7-m5"));
    }

    @Test
    void defaultsAreTimms() {
        RandAugment ra = parse("rand");

        assertEquals(new RandAugment(10, 2, 0.5, 0.0, 10, false, Interpolation.BICUBIC, FILL), ra);
        assertEquals(AugmentOp.STANDARD, ra.ops());
    }

    @Test
    void largeStdMeansUniformMagnitudeAndZeroMaxMeansTen() {
        assertEquals(Double.POSITIVE_INFINITY, parse("rand-mstd101").magnitudeStd());
        assertEquals(100.0, parse("rand-mstd100").magnitudeStd());
        assertEquals(10, parse("rand-mmax0").magnitudeMax());
        assertFalse(parse("rand-inc0").increasing());
    }

    @Test
    void refusesUnknownKeysNamingThem() {
        assertMessageContains("'x'", () -> parse("rand-m9-x3"));
        assertMessageContains("'tweights'", () -> parse("rand-m9-tweights"));
        assertMessageContains("'m'", () -> parse("rand-m9-m8"));
        assertMessageContains("9.5", () -> parse("rand-m9.5"));
        assertMessageContains("'rand'", () -> parse("augmix-m9"));
        assertMessageContains("-1", () -> new RandAugment(9, -1, 0.5, 0.5, 10, true, Interpolation.BICUBIC, FILL));
    }

    @Test
    void choosesNumOpsUniformlyAndAppliesEachWithProbabilityHalf() {
        RandAugment ra = parse("rand-m9-mstd0.5-inc1");
        BufferedImage tiny = tinyImage();
        SplittableRandom rng = new SplittableRandom(7);
        int images = 6000;
        Map<AugmentOp, Integer> chosen = new EnumMap<>(AugmentOp.class);
        int applied = 0;
        for (int i = 0; i < images; i++) {
            List<RandAugment.Step> steps = new ArrayList<>();
            ra.apply(tiny, rng, steps::add);
            assertEquals(2, steps.size(), "ops per image");
            for (RandAugment.Step step : steps) {
                chosen.merge(step.op(), 1, Integer::sum);
                applied += step.applied() ? 1 : 0;
            }
        }
        int choices = 2 * images;
        assertEquals(AugmentOp.INCREASING.size(), chosen.size(), "every op chosen: " + chosen);
        double perOp = choices / 15.0;
        double sigmaPerOp = Math.sqrt(choices * (1 / 15.0) * (14 / 15.0));
        for (Map.Entry<AugmentOp, Integer> entry : chosen.entrySet()) {
            assertTrue(Math.abs(entry.getValue() - perOp) <= 4 * sigmaPerOp, entry + " vs " + perOp);
        }
        double sigmaApplied = Math.sqrt(choices * 0.25);
        assertTrue(Math.abs(applied - choices / 2.0) <= 4 * sigmaApplied, applied + " of " + choices + " applied");
    }

    @Test
    void magnitudeIsNoisyAroundMAndClippedToTheMax() {
        RandAugment ra = parse("rand-m9-n1-p1.0-mstd0.5-inc1");
        BufferedImage tiny = tinyImage();
        SplittableRandom rng = new SplittableRandom(11);
        List<Double> magnitudes = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            ra.apply(tiny, rng, step -> magnitudes.add(step.magnitude()));
        }
        double mean = magnitudes.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double max = magnitudes.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        double min = magnitudes.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        // N(9, 0.5) clipped at 10 has mean 8.9958; 4 sigma of the mean of 4000 is 0.032.
        assertEquals(8.9958, mean, 0.032, "mean magnitude");
        assertEquals(10.0, max, 0.0, "clipped at mmax");
        assertTrue(min > 7.0, "min " + min);
    }

    /**
     * Every draw scripted: one op (index 3, Rotate), applied (0.4 <= 0.5), magnitude 9 + 0.5 * 2 =
     * 10, sign negative (0.7 > 0.5), bicubic fixed so no filter draw: a -30° bicubic rotation.
     */
    @Test
    void drawsInTimmsOrder() throws IOException {
        BufferedImage image = Fixtures.reference("augment-fixtures/inputs/cat-landscape.png");
        ScriptedRandom rng = new ScriptedRandom().thenInt(15, 3).thenDouble(0.4).thenGaussian(2.0).thenDouble(0.7);

        BufferedImage actual = parse("rand-m9-n1-mstd0.5-inc1").apply(image, rng);

        assertTrue(rng.exhausted());
        BufferedImage expected = Affine.rotate(image, -30.0, Interpolation.BICUBIC, FILL);
        assertEquals(0, Fixtures.compare(actual, expected).max());
    }

    /** With the 'random' filter the geometric op draws it last: index 0 bilinear, 1 bicubic. */
    @Test
    void randomInterpolationIsDrawnAfterTheSign() throws IOException {
        BufferedImage image = Fixtures.reference("augment-fixtures/inputs/rocket-portrait.png");
        RandAugment ra = RandAugment.parse("rand-m5-n1-p1.0", Interpolation.RANDOM, FILL);
        ScriptedRandom rng = new ScriptedRandom().thenInt(15, 11).thenDouble(0.2).thenInt(2, 0);

        BufferedImage actual = ra.apply(image, rng);

        assertTrue(rng.exhausted());
        BufferedImage expected = Affine.transform(image, new double[] {1, 0.15, 0, 0, 1, 0}, Interpolation.BILINEAR,
                FILL);
        assertEquals(0, Fixtures.compare(actual, expected).max());
    }

    @Test
    void skippedOpsDrawNothingMore() throws IOException {
        BufferedImage image = Fixtures.reference("augment-fixtures/inputs/camera-gray.png");
        ScriptedRandom rng = new ScriptedRandom().thenInt(15, 3).thenInt(15, 12).thenDouble(0.51).thenDouble(0.9);

        BufferedImage actual = parse("rand-m9-mstd0.5-inc1").apply(image, rng);

        assertTrue(rng.exhausted());
        assertSame(image, actual);
    }

    private static RandAugment parse(String config) {
        return RandAugment.parse(config, Interpolation.BICUBIC, FILL);
    }

    private static BufferedImage tinyImage() {
        BufferedImage image = new BufferedImage(6, 5, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 30; i++) {
            image.setRGB(i % 6, i / 6, i * 0x070503);
        }
        return image;
    }

    private static void assertMessageContains(String part, Runnable construction) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construction::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
