package org.convnext4j.data.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomErasingTest {

    private static final int HEIGHT = 48;
    private static final int WIDTH = 64;
    private static final int PLANE = HEIGHT * WIDTH;
    /** Never drawn from N(0, 1) in practice, so every changed value marks an erased one. */
    private static final float UNTOUCHED = 7f;

    @Test
    void erasesAQuarterOfImagesInBoxesOfTheRightSize() {
        RandomErasing erasing = RandomErasing.of(0.25);
        SplittableRandom rng = new SplittableRandom(13);
        int images = 6000;
        int erased = 0;
        double sum = 0;
        double sumOfSquares = 0;
        long values = 0;
        for (int i = 0; i < images; i++) {
            float[] chw = new float[3 * PLANE];
            Arrays.fill(chw, UNTOUCHED);
            erasing.apply(chw, HEIGHT, WIDTH, rng);
            int[] box = erasedBox(chw);
            if (box == null) {
                continue;
            }
            erased++;
            int h = box[2] - box[0];
            int w = box[3] - box[1];
            assertTrue(h < HEIGHT && w < WIDTH, Arrays.toString(box));
            // The sides are rounded to whole pixels, so the bounds hold up to half a pixel per side.
            double lowest = Math.max(0, Math.sqrt(0.02 * PLANE * 0.3) - 0.5) * (Math.sqrt(0.02 * PLANE / 0.3) - 0.5);
            double highest = (Math.sqrt(PLANE / 3.0 / 0.3) + 0.5) * (Math.sqrt(PLANE / 3.0 * 0.3) + 0.5);
            assertTrue(h * w >= lowest && h * w <= highest, "area " + h * w);
            double aspect = (double) h / w;
            assertTrue(aspect >= 0.3 * 0.8 && aspect <= 1 / 0.3 / 0.8, "aspect " + aspect);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < HEIGHT; y++) {
                    for (int x = 0; x < WIDTH; x++) {
                        float v = chw[c * PLANE + y * WIDTH + x];
                        boolean inside = y >= box[0] && y < box[2] && x >= box[1] && x < box[3];
                        if (inside) {
                            assertTrue(v != UNTOUCHED, "every value in the box is erased");
                            sum += v;
                            sumOfSquares += v * v;
                            values++;
                        }
                    }
                }
            }
        }
        double sigma = Math.sqrt(images * 0.25 * 0.75);
        assertTrue(Math.abs(erased - images * 0.25) <= 4 * sigma, erased + " of " + images + " erased");
        double mean = sum / values;
        double variance = sumOfSquares / values - mean * mean;
        assertEquals(0.0, mean, 4 / Math.sqrt(values), "mean of erased values");
        // The variance of a sample of n standard normals has standard deviation sqrt(2 / n).
        assertEquals(1.0, variance, 4 * Math.sqrt(2.0 / values), "variance of erased values");
    }

    @Test
    void probabilityZeroNeverErasesAndOneAlwaysDoes() {
        SplittableRandom rng = new SplittableRandom(17);
        for (int i = 0; i < 200; i++) {
            float[] never = new float[3 * PLANE];
            Arrays.fill(never, UNTOUCHED);
            RandomErasing.of(0.0).apply(never, HEIGHT, WIDTH, rng);
            assertEquals(null, erasedBox(never));
            float[] always = new float[3 * PLANE];
            Arrays.fill(always, UNTOUCHED);
            RandomErasing.of(1.0).apply(always, HEIGHT, WIDTH, rng);
            assertTrue(erasedBox(always) != null);
        }
    }

    @Test
    void refusesBadArgumentsNamingTheValue() {
        RandomResizedCropTest.assertMessageEndsWith("1.5", () -> RandomErasing.of(1.5));
        RandomResizedCropTest.assertMessageEndsWith("0.5", () -> new RandomErasing(0.25, 0.5, 0.1, 0.3, 3));
    }

    /** The bounding box {top, left, bottom, right} (exclusive) of the changed values, or null. */
    private static int[] erasedBox(float[] chw) {
        int top = HEIGHT;
        int left = WIDTH;
        int bottom = 0;
        int right = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < HEIGHT; y++) {
                for (int x = 0; x < WIDTH; x++) {
                    if (chw[c * PLANE + y * WIDTH + x] != UNTOUCHED) {
                        top = Math.min(top, y);
                        left = Math.min(left, x);
                        bottom = Math.max(bottom, y + 1);
                        right = Math.max(right, x + 1);
                    }
                }
            }
        }
        return bottom == 0 ? null : new int[] {top, left, bottom, right};
    }
}
