package org.convnext4j.data.augment;

import java.awt.image.BufferedImage;
import java.util.random.RandomGenerator;

/**
 * torchvision 0.14's {@code ColorJitter(brightness, contrast, saturation)} on PIL images, without
 * hue: each non-zero strength s draws a factor uniform in [max(0, 1 - s), 1 + s], and the three
 * adjustments ({@code ImageEnhance} Brightness, Contrast and Color) run in a random order. A zero
 * strength turns its adjustment off.
 *
 * <p>Draws: a permutation of the three adjustments (Fisher–Yates, {@code nextInt(3)} then
 * {@code nextInt(2)}), then one {@code nextDouble()} per non-zero strength, brightness first, then
 * contrast, then saturation.
 */
public record ColorJitter(double brightness, double contrast, double saturation) {

    public ColorJitter {
        requireStrength("brightness", brightness);
        requireStrength("contrast", contrast);
        requireStrength("saturation", saturation);
    }

    public BufferedImage apply(BufferedImage rgb, RandomGenerator rng) {
        return apply(rgb, sample(rng));
    }

    /**
     * The drawn order (indices into {@code factors}: 0 brightness, 1 contrast, 2 saturation) and
     * factors; an adjustment that is off has factor 1, which leaves the image as it is.
     */
    record Params(int[] order, double[] factors) {
    }

    Params sample(RandomGenerator rng) {
        int[] order = {0, 1, 2};
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        double[] strengths = {brightness, contrast, saturation};
        double[] factors = new double[3];
        for (int i = 0; i < 3; i++) {
            double low = Math.max(0.0, 1.0 - strengths[i]);
            double high = 1.0 + strengths[i];
            factors[i] = strengths[i] == 0.0 ? 1.0 : Uniform.draw(low, high, rng);
        }
        return new Params(order, factors);
    }

    static BufferedImage apply(BufferedImage rgb, Params params) {
        Enhance[] adjustments = {Enhance.BRIGHTNESS, Enhance.CONTRAST, Enhance.COLOR};
        for (int index : params.order()) {
            double factor = params.factors()[index];
            if (factor != 1.0) {
                rgb = adjustments[index].apply(rgb, factor);
            }
        }
        return rgb;
    }

    private static void requireStrength(String name, double strength) {
        if (!(strength >= 0.0 && Double.isFinite(strength))) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, got " + strength);
        }
    }
}
