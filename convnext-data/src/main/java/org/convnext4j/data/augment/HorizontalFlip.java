package org.convnext4j.data.augment;

import java.awt.image.BufferedImage;
import java.util.random.RandomGenerator;

/**
 * torchvision's {@code RandomHorizontalFlip(p)}: mirrors the image left to right when one
 * {@code nextDouble()} is below {@code probability}.
 */
public record HorizontalFlip(double probability) {

    public HorizontalFlip {
        if (!(probability >= 0.0 && probability <= 1.0)) {
            throw new IllegalArgumentException("probability must be in [0, 1], got " + probability);
        }
    }

    public BufferedImage apply(BufferedImage rgb, RandomGenerator rng) {
        return rng.nextDouble() < probability ? mirror(rgb) : rgb;
    }

    static BufferedImage mirror(BufferedImage rgb) {
        int width = rgb.getWidth();
        int height = rgb.getHeight();
        int[] pixels = Rgb.pixels(rgb);
        int[] mirrored = new int[pixels.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                mirrored[y * width + x] = pixels[y * width + width - 1 - x];
            }
        }
        return Rgb.image(mirrored, width, height);
    }
}
