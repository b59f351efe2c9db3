package org.convnext4j.data.augment;

/**
 * Pillow's {@code ImageFilter.SMOOTH}: the 3×3 kernel (1 1 1 / 1 5 1 / 1 1 1) / 13, which Pillow
 * applies in float with a rounding offset of one half. The outermost rows and columns are copied
 * unfiltered, and images smaller than the kernel are returned as they are.
 */
final class Smooth {

    /** The kernel weights as Pillow has them: float32 values divided by the float32 scale. */
    private static final float EDGE = 1f / 13f;
    private static final float CENTRE = 5f / 13f;

    private Smooth() {
    }

    static int[] apply(int[] pixels, int width, int height) {
        int[] out = pixels.clone();
        if (width < 3 || height < 3) {
            return out;
        }
        for (int y = 1; y < height - 1; y++) {
            for (int x = 1; x < width - 1; x++) {
                int at = y * width + x;
                out[at] = Rgb.pack(smooth(pixels, at, width, 0), smooth(pixels, at, width, 1),
                        smooth(pixels, at, width, 2));
            }
        }
        return out;
    }

    /** In Pillow's order of float additions: the row below, this row, then the row above. */
    private static int smooth(int[] pixels, int at, int width, int channel) {
        float sum = 0.5f;
        sum += row(pixels, at + width, channel, EDGE);
        sum += row(pixels, at, channel, CENTRE);
        sum += row(pixels, at - width, channel, EDGE);
        return Rgb.clip8(sum);
    }

    private static float row(int[] pixels, int centre, int channel, float middleWeight) {
        return Rgb.sample(pixels[centre - 1], channel) * EDGE + Rgb.sample(pixels[centre], channel) * middleWeight
                + Rgb.sample(pixels[centre + 1], channel) * EDGE;
    }
}
