package org.convnext4j.data.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.convnext4j.data.Fixtures;
import org.junit.jupiter.api.Test;

class ColorJitterTest {

    /** torchvision's fn_idx (1, 0, 2) with factors brightness 0.7, contrast 1.3, saturation 0.45. */
    @Test
    void fixedOrderAndFactorsMatchTorchvision() throws IOException {
        for (String photo : Fixtures.PHOTOS) {
            BufferedImage image = Fixtures.reference("augment-fixtures/inputs/" + photo + ".png");
            BufferedImage expected = Fixtures.reference("augment-fixtures/jitter/" + photo + ".png");
            ColorJitter.Params params = new ColorJitter.Params(new int[] {1, 0, 2}, new double[] {0.7, 1.3, 0.45});

            Fixtures.Difference difference = Fixtures.compare(ColorJitter.apply(image, params), expected);

            System.out.println(photo + " color jitter vs torchvision: " + difference);
            assertEquals(0, difference.max(), photo + ": " + difference);
        }
    }

    @Test
    void ordersAreUniformAndFactorsInRange() {
        ColorJitter jitter = new ColorJitter(0.4, 0.4, 0.4);
        SplittableRandom rng = new SplittableRandom(9);
        int draws = 6000;
        Map<String, Integer> orders = new HashMap<>();
        double[] sums = new double[3];
        for (int i = 0; i < draws; i++) {
            ColorJitter.Params params = jitter.sample(rng);
            orders.merge(Arrays.toString(params.order()), 1, Integer::sum);
            for (int f = 0; f < 3; f++) {
                double factor = params.factors()[f];
                assertTrue(factor >= 0.6 && factor < 1.4, "factor " + factor);
                sums[f] += factor;
            }
        }
        assertEquals(6, orders.size(), orders.toString());
        double sigma = Math.sqrt(draws * (1 / 6.0) * (5 / 6.0));
        for (int count : orders.values()) {
            assertTrue(Math.abs(count - draws / 6.0) <= 4 * sigma, orders.toString());
        }
        // Uniform on [0.6, 1.4]: standard deviation 0.8 / sqrt(12) per factor.
        double sigmaMean = 0.8 / Math.sqrt(12) / Math.sqrt(draws);
        for (double sum : sums) {
            assertEquals(1.0, sum / draws, 4 * sigmaMean);
        }
    }

    @Test
    void zeroStrengthIsOffAndDrawsNothing() {
        ScriptedRandom rng = new ScriptedRandom().thenInt(3, 0).thenInt(2, 1).thenDouble(0.25);

        ColorJitter.Params params = new ColorJitter(0.0, 0.4, 0.0).sample(rng);

        assertTrue(rng.exhausted());
        assertEquals(1.0, params.factors()[0]);
        assertEquals(0.8, params.factors()[1], 1e-15);
        assertEquals(1.0, params.factors()[2]);
    }

    @Test
    void refusesBadArgumentsNamingTheValue() {
        RandomResizedCropTest.assertMessageEndsWith("-0.1", () -> new ColorJitter(-0.1, 0, 0));
        RandomResizedCropTest.assertMessageEndsWith("NaN", () -> new ColorJitter(0, Double.NaN, 0));
    }
}
