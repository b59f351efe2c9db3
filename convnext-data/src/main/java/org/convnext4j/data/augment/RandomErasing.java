package org.convnext4j.data.augment;

import java.util.random.RandomGenerator;

/**
 * timm's {@code RandomErasing} in mode {@code 'pixel'} with one box, applied to normalised CHW
 * floats: with {@code probability}, up to ten tries of a box of area fraction uniform in
 * [minArea, maxArea] and log-uniform aspect ratio (height / width) in [minAspect, maxAspect]; the
 * first that fits strictly inside the image is placed uniformly and every value in it, in every
 * channel, replaced by a standard normal draw. If no try fits, nothing is erased.
 *
 * <p>Draws: one {@code nextDouble()} (no erasing when it exceeds {@code probability}); per try
 * {@code nextDouble()} for the area and for the aspect ratio; for the accepted box {@code nextInt}
 * for the top, then the left, then {@code nextGaussian()} per erased value in CHW order.
 */
public record RandomErasing(double probability, double minArea, double maxArea, double minAspect, double maxAspect) {

    private static final int TRIES = 10;

    public RandomErasing {
        if (!(probability >= 0.0 && probability <= 1.0)) {
            throw new IllegalArgumentException("probability must be in [0, 1], got " + probability);
        }
        if (!(minArea > 0.0 && minArea <= maxArea)) {
            throw new IllegalArgumentException("minArea must be in (0, maxArea], got " + minArea);
        }
        if (!(maxArea <= 1.0)) {
            throw new IllegalArgumentException("maxArea must be at most 1, got " + maxArea);
        }
        if (!(minAspect > 0.0 && minAspect <= maxAspect)) {
            throw new IllegalArgumentException("minAspect must be in (0, maxAspect], got " + minAspect);
        }
        if (!Double.isFinite(maxAspect)) {
            throw new IllegalArgumentException("maxAspect must be finite, got " + maxAspect);
        }
    }

    /** timm's defaults: area 2% to 1/3 of the image, aspect ratio 0.3 to 1 / 0.3. */
    public static RandomErasing of(double probability) {
        return new RandomErasing(probability, 0.02, 1.0 / 3.0, 0.3, 1.0 / 0.3);
    }

    /** Erases in place in {@code chw}, of {@code channels} planes of {@code height × width}. */
    public void apply(float[] chw, int height, int width, RandomGenerator rng) {
        int plane = height * width;
        if (plane == 0 || chw.length % plane != 0) {
            throw new IllegalArgumentException("expected whole planes of " + height + "x" + width
                    + ", got " + chw.length + " values");
        }
        if (rng.nextDouble() > probability) {
            return;
        }
        double area = (double) height * width;
        double logAspectMin = Math.log(minAspect);
        double logAspectMax = Math.log(maxAspect);
        for (int i = 0; i < TRIES; i++) {
            double targetArea = Uniform.draw(minArea, maxArea, rng) * area;
            double aspectRatio = Math.exp(Uniform.draw(logAspectMin, logAspectMax, rng));
            // Python's round: halves to even.
            int h = (int) Math.rint(Math.sqrt(targetArea * aspectRatio));
            int w = (int) Math.rint(Math.sqrt(targetArea / aspectRatio));
            if (w < width && h < height) {
                int top = rng.nextInt(height - h + 1);
                int left = rng.nextInt(width - w + 1);
                fill(chw, plane, width, top, left, h, w, rng);
                return;
            }
        }
    }

    private static void fill(float[] chw, int plane, int width, int top, int left, int h, int w,
            RandomGenerator rng) {
        for (int c = 0; c < chw.length / plane; c++) {
            for (int y = top; y < top + h; y++) {
                for (int x = left; x < left + w; x++) {
                    chw[c * plane + y * width + x] = (float) rng.nextGaussian();
                }
            }
        }
    }
}
