package org.convnext4j.data.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.convnext4j.data.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RandomResizedCropTest {

    private static final RandomResizedCrop IMAGENET = new RandomResizedCrop(64, 0.08, 1.0, 3.0 / 4.0, 4.0 / 3.0);

    static Stream<Arguments> boxes() {
        int[][] boxes = {{17, 40, 150, 131}, {60, 90, 37, 50}, {0, 0, 200, 197}};
        return Stream.of(Fixtures.PHOTOS).flatMap(photo -> Stream.of(boxes).map(b -> Arguments.of(photo, b)));
    }

    /** generate_augment_fixtures.py checks that F.resized_crop equals Pillow's crop then resize. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("boxes")
    void resizeMatchesTorchvisionResizedCrop(String photo, int[] b) throws IOException {
        BufferedImage image = Fixtures.reference("eval-fixtures/decoded/" + photo + ".png");
        BufferedImage expected = Fixtures.reference(
                "augment-fixtures/crop/" + photo + "_" + b[0] + "_" + b[1] + "_" + b[2] + "_" + b[3] + ".png");

        BufferedImage actual = IMAGENET.resize(image, new RandomResizedCrop.Box(b[0], b[1], b[2], b[3]));

        Fixtures.Difference difference = Fixtures.compare(actual, expected);
        System.out.println(photo + " box " + b[2] + "x" + b[3] + " -> 64x64 vs torchvision: " + difference);
        assertEquals(0, difference.max(), difference.toString());
    }

    /**
     * On a square image, where every area up to the whole is reachable: every box inside, area
     * fraction in [0.08, 1] and ratio in [3/4, 4/3] up to the rounding of the sides (at most half a
     * pixel each, about 1% for the smallest boxes), and both ends of each range reached.
     */
    @Test
    void boxesCoverTheScaleAndRatioRanges() {
        int side = 240;
        SplittableRandom rng = new SplittableRandom(3);
        double minFraction = 1;
        double maxFraction = 0;
        double minRatio = 10;
        double maxRatio = 0;
        boolean touchedTop = false;
        boolean touchedBottom = false;
        for (int i = 0; i < 20000; i++) {
            RandomResizedCrop.Box box = IMAGENET.sample(side, side, rng);
            assertTrue(box.top() >= 0 && box.left() >= 0, box.toString());
            assertTrue(box.top() + box.height() <= side && box.left() + box.width() <= side, box.toString());
            double fraction = box.width() * box.height() / (double) (side * side);
            double ratio = (double) box.width() / box.height();
            minFraction = Math.min(minFraction, fraction);
            maxFraction = Math.max(maxFraction, fraction);
            minRatio = Math.min(minRatio, ratio);
            maxRatio = Math.max(maxRatio, ratio);
            touchedTop |= box.top() == 0;
            touchedBottom |= box.top() + box.height() == side;
        }
        String ranges = "fraction " + minFraction + ".." + maxFraction + ", ratio " + minRatio + ".." + maxRatio;
        assertTrue(minFraction >= 0.08 * 0.98 && minFraction < 0.085, ranges);
        assertTrue(maxFraction <= 1.0 && maxFraction > 0.95, ranges);
        assertTrue(minRatio >= 0.75 * 0.98 && minRatio < 0.76, ranges);
        assertTrue(maxRatio <= 4.0 / 3.0 * 1.02 && maxRatio > 1.32, ranges);
        assertTrue(touchedTop && touchedBottom, "placement reaches both edges");
    }

    /**
     * Boxes that can never fit (too wide, too tall, too large) fall back to the centred box with the
     * ratio clamped to the range.
     */
    @Test
    void fallsBackToTheCentredClampedBox() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int i = 0; i < 100; i++) {
            assertEquals(new RandomResizedCrop.Box(45, 0, 10, 100),
                    new RandomResizedCrop(8, 0.5, 1.0, 10.0, 20.0).sample(100, 100, rng));
            assertEquals(new RandomResizedCrop.Box(0, 45, 100, 10),
                    new RandomResizedCrop(8, 0.5, 1.0, 0.05, 0.1).sample(100, 100, rng));
            // Areas above the image's: width round(200 * 4/3) = 267, centred at (300 - 267) // 2.
            assertEquals(new RandomResizedCrop.Box(0, 16, 200, 267),
                    new RandomResizedCrop(8, 2.0, 3.0, 3.0 / 4.0, 4.0 / 3.0).sample(300, 200, rng));
            assertEquals(new RandomResizedCrop.Box(0, 0, 200, 300),
                    new RandomResizedCrop(8, 2.0, 3.0, 0.5, 2.0).sample(300, 200, rng));
        }
    }

    @Test
    void fallbackDrawsTwentyDoublesAndNothingElse() {
        ScriptedRandom rng = new ScriptedRandom();
        for (int i = 0; i < 20; i++) {
            rng.thenDouble(0.5);
        }

        RandomResizedCrop.Box box = new RandomResizedCrop(8, 2.0, 3.0, 0.5, 2.0).sample(300, 200, rng);

        assertTrue(rng.exhausted());
        assertEquals(new RandomResizedCrop.Box(0, 0, 200, 300), box);
    }

    @Test
    void outputIsSizeSquared() throws IOException {
        BufferedImage image = Fixtures.reference("eval-fixtures/decoded/rocket-portrait.png");

        BufferedImage out = IMAGENET.apply(image, new SplittableRandom(1));

        assertEquals(64, out.getWidth());
        assertEquals(64, out.getHeight());
    }

    @Test
    void refusesBadArgumentsNamingTheValue() {
        assertMessageEndsWith("0", () -> new RandomResizedCrop(0, 0.08, 1, 0.75, 1.33));
        assertMessageEndsWith("0.0", () -> new RandomResizedCrop(8, 0.0, 1, 0.75, 1.33));
        assertMessageEndsWith("0.9", () -> new RandomResizedCrop(8, 0.9, 0.5, 0.75, 1.33));
        assertMessageEndsWith("NaN", () -> new RandomResizedCrop(8, 0.08, 1, Double.NaN, 1.33));
        assertMessageEndsWith("Infinity", () -> new RandomResizedCrop(8, 0.08, 1, 0.75, Double.POSITIVE_INFINITY));
    }

    static void assertMessageEndsWith(String value, Runnable construction) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construction::run);
        assertTrue(e.getMessage().endsWith(value), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
