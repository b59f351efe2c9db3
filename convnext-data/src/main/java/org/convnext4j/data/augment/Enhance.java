package org.convnext4j.data.augment;

import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * Pillow's {@code ImageEnhance}: each enhancement blends the image with a "degenerate" version of
 * it, {@code degenerate + factor * (image - degenerate)}, so factor 1 keeps the image, 0 gives the
 * degenerate image, and factors above 1 push away from it.
 */
enum Enhance {

    /** Degenerate: the image in grey ({@code convert("L")} back to RGB). */
    COLOR {
        @Override
        int[] degenerate(int[] pixels, int width, int height) {
            int[] grey = new int[pixels.length];
            for (int i = 0; i < pixels.length; i++) {
                int luma = Rgb.luma(pixels[i]);
                grey[i] = Rgb.pack(luma, luma, luma);
            }
            return grey;
        }
    },

    /** Degenerate: uniform grey at the image's mean luma, rounded. */
    CONTRAST {
        @Override
        int[] degenerate(int[] pixels, int width, int height) {
            long sum = 0;
            for (int pixel : pixels) {
                sum += Rgb.luma(pixel);
            }
            // ImageStat's mean, a double, then int(mean + 0.5).
            int mean = (int) ((double) sum / pixels.length + 0.5);
            int[] grey = new int[pixels.length];
            Arrays.fill(grey, Rgb.pack(mean, mean, mean));
            return grey;
        }
    },

    /** Degenerate: black. */
    BRIGHTNESS {
        @Override
        int[] degenerate(int[] pixels, int width, int height) {
            return new int[pixels.length];
        }
    },

    /** Degenerate: the image through Pillow's SMOOTH filter. */
    SHARPNESS {
        @Override
        int[] degenerate(int[] pixels, int width, int height) {
            return Smooth.apply(pixels, width, height);
        }
    };

    abstract int[] degenerate(int[] pixels, int width, int height);

    BufferedImage apply(BufferedImage image, double factor) {
        int width = image.getWidth();
        int height = image.getHeight();
        int[] pixels = Rgb.pixels(image);
        int[] degenerate = degenerate(pixels, width, height);
        // Image.blend takes the factor as a C float and computes in float.
        float alpha = (float) factor;
        int[] out = new int[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            int r = blend(Rgb.sample(degenerate[i], 0), Rgb.sample(pixels[i], 0), alpha);
            int g = blend(Rgb.sample(degenerate[i], 1), Rgb.sample(pixels[i], 1), alpha);
            int b = blend(Rgb.sample(degenerate[i], 2), Rgb.sample(pixels[i], 2), alpha);
            out[i] = Rgb.pack(r, g, b);
        }
        return Rgb.image(out, width, height);
    }

    private static int blend(int degenerate, int sample, float alpha) {
        return Rgb.clip8(degenerate + alpha * (sample - degenerate));
    }
}
