package org.convnext4j.data.augment;

import java.awt.image.BufferedImage;
import java.util.random.RandomGenerator;
import org.convnext4j.data.BicubicResampler;

/**
 * timm's {@code RandomResizedCropAndInterpolation} with bicubic interpolation, whose box sampling
 * is torchvision's {@code RandomResizedCrop.get_params} in Python doubles: up to ten tries of an area
 * fraction uniform in [scaleMin, scaleMax] and a log-uniform aspect ratio (width / height) in
 * [ratioMin, ratioMax], the first box that fits placed uniformly; otherwise the centred box of the
 * whole image with its aspect ratio clamped to the range. The box is then cropped and resized to
 * size × size with Pillow's bicubic filter, which is what torchvision's {@code F.resized_crop} does
 * to a PIL image.
 *
 * <p>Draws per try: {@code nextDouble()} for the area, {@code nextDouble()} for the ratio; for the
 * accepted box {@code nextInt} for the top, then for the left. The fallback draws nothing more.
 */
public record RandomResizedCrop(int size, double scaleMin, double scaleMax, double ratioMin, double ratioMax) {

    private static final int TRIES = 10;

    public RandomResizedCrop {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive, got " + size);
        }
        if (!(scaleMin > 0.0 && scaleMin <= scaleMax)) {
            throw new IllegalArgumentException("scaleMin must be in (0, scaleMax], got " + scaleMin);
        }
        if (!Double.isFinite(scaleMax)) {
            throw new IllegalArgumentException("scaleMax must be finite, got " + scaleMax);
        }
        if (!(ratioMin > 0.0 && ratioMin <= ratioMax)) {
            throw new IllegalArgumentException("ratioMin must be in (0, ratioMax], got " + ratioMin);
        }
        if (!Double.isFinite(ratioMax)) {
            throw new IllegalArgumentException("ratioMax must be finite, got " + ratioMax);
        }
    }

    /** A crop rectangle in pixels. */
    public record Box(int top, int left, int height, int width) {
    }

    public BufferedImage apply(BufferedImage rgb, RandomGenerator rng) {
        return resize(rgb, sample(rgb.getWidth(), rgb.getHeight(), rng));
    }

    public Box sample(int width, int height, RandomGenerator rng) {
        double area = (double) width * height;
        double logRatioMin = Math.log(ratioMin);
        double logRatioMax = Math.log(ratioMax);
        for (int i = 0; i < TRIES; i++) {
            double targetArea = area * Uniform.draw(scaleMin, scaleMax, rng);
            double aspectRatio = Math.exp(Uniform.draw(logRatioMin, logRatioMax, rng));
            // Python's round: halves to even.
            int w = (int) Math.rint(Math.sqrt(targetArea * aspectRatio));
            int h = (int) Math.rint(Math.sqrt(targetArea / aspectRatio));
            if (0 < w && w <= width && 0 < h && h <= height) {
                int top = rng.nextInt(height - h + 1);
                int left = rng.nextInt(width - w + 1);
                return new Box(top, left, h, w);
            }
        }
        double imageRatio = (double) width / height;
        int w = width;
        int h = height;
        if (imageRatio < ratioMin) {
            h = (int) Math.rint(w / ratioMin);
        } else if (imageRatio > ratioMax) {
            w = (int) Math.rint(h * ratioMax);
        }
        return new Box((height - h) / 2, (width - w) / 2, h, w);
    }

    /** The box cropped and resized to size × size. */
    BufferedImage resize(BufferedImage rgb, Box box) {
        BufferedImage crop = rgb.getSubimage(box.left(), box.top(), box.width(), box.height());
        return BicubicResampler.resize(crop, size, size);
    }
}
