package org.convnext4j.data;

import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * Bicubic resizing that reproduces Pillow 9's {@code Image.resize(size, Image.BICUBIC)} pixel for
 * pixel, so that images resized here match the ones torchvision's {@code Resize} fed a model in
 * training.
 *
 * <p>Pillow's algorithm: a separable convolution with the cubic kernel (a = -0.5, support 2),
 * widened by the scale factor when shrinking so that it antialiases; per output pixel, weights
 * normalised to sum to 1 and then rounded to fixed point with 22 fractional bits. The horizontal
 * pass runs first and is rounded and clamped to 8 bits before the vertical pass; that intermediate
 * rounding is part of the result, so it is kept here. An axis whose size does not change is not
 * resampled at all.
 */
public final class BicubicResampler {

    /** Pillow's PRECISION_BITS: 32 bits less 8 for the sample and 2 for overshoot of the sum. */
    private static final int PRECISION_BITS = 32 - 8 - 2;
    /** Every sum starts at one half so that the final shift rounds to nearest. */
    private static final int ROUNDING = 1 << (PRECISION_BITS - 1);
    private static final double CUBIC_A = -0.5;
    private static final double CUBIC_SUPPORT = 2.0;

    private BicubicResampler() {
    }

    /** Returns a new {@code TYPE_INT_RGB} image of {@code width}×{@code height}. */
    public static BufferedImage resize(BufferedImage rgb, int width, int height) {
        if (rgb.getType() != BufferedImage.TYPE_INT_RGB) {
            throw new IllegalArgumentException(
                    "expected a TYPE_INT_RGB image (see ImageDecoder), got type " + rgb.getType());
        }
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
        }
        int inWidth = rgb.getWidth();
        int inHeight = rgb.getHeight();
        // Raster data elements are copied row by row; getRGB/setRGB would convert every pixel.
        int[] pixels = (int[]) rgb.getRaster().getDataElements(0, 0, inWidth, inHeight, null);
        if (width != inWidth) {
            // The horizontal pass is the vertical one on the transposed image, whose loops vectorise.
            int[] columns = vertical(transpose(pixels, inWidth, inHeight), inHeight, Taps.of(inWidth, width));
            pixels = transpose(columns, inHeight, width);
        }
        if (height != inHeight) {
            pixels = vertical(pixels, width, Taps.of(inHeight, height));
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        out.getRaster().setDataElements(0, 0, width, height, pixels);
        return out;
    }

    /**
     * Resamples the columns of a {@code width}-wide image: each output row is the weighted sum of
     * the input rows its taps name, accumulated a whole row at a time into per-channel sums.
     *
     * <p>Integer sums do not depend on their order, so this gives Pillow's result; and the JIT
     * vectorises these loops over {@code x} because every array in them is indexed by {@code x}
     * alone (reading the input at an offset would make it assume the arrays might overlap).
     */
    private static int[] vertical(int[] in, int width, Taps taps) {
        int outHeight = taps.outSize();
        int[] out = new int[width * outHeight];
        int[] row = new int[width];
        int[] r = new int[width];
        int[] g = new int[width];
        int[] b = new int[width];
        for (int y = 0; y < outHeight; y++) {
            Arrays.fill(r, ROUNDING);
            Arrays.fill(g, ROUNDING);
            Arrays.fill(b, ROUNDING);
            for (int i = 0; i < taps.count[y]; i++) {
                System.arraycopy(in, (taps.first[y] + i) * width, row, 0, width);
                int weight = taps.weights[y * taps.stride + i];
                for (int x = 0; x < width; x++) {
                    int pixel = row[x];
                    r[x] += ((pixel >> 16) & 0xFF) * weight;
                    g[x] += ((pixel >> 8) & 0xFF) * weight;
                    b[x] += (pixel & 0xFF) * weight;
                }
            }
            for (int x = 0; x < width; x++) {
                row[x] = pack(r[x], g[x], b[x]);
            }
            System.arraycopy(row, 0, out, y * width, width);
        }
        return out;
    }

    /** The {@code height}×{@code width} transpose of a {@code width}×{@code height} image. */
    private static int[] transpose(int[] in, int width, int height) {
        int[] out = new int[in.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                out[x * height + y] = in[y * width + x];
            }
        }
        return out;
    }

    /** Packs three fixed-point sums into a pixel, each shifted down to 8 bits and clamped. */
    private static int pack(int r, int g, int b) {
        return (clip8(r) << 16) | (clip8(g) << 8) | clip8(b);
    }

    /**
     * The sum shifted down to 8 bits and clamped to [0, 255], with masks instead of Math.min and
     * max, which the JIT does not vectorise in the pack loop.
     */
    private static int clip8(int fixedPoint) {
        int value = fixedPoint >> PRECISION_BITS;
        // value >> 31 is all ones for a negative value, which the mask turns into 0.
        int notNegative = value & ~(value >> 31);
        // Shifted down, an int sum is below 512, so 255 - notNegative is negative (all ones after
        // the shift) just when the value is above 255, and the low byte is then 255.
        return (notNegative | ((255 - notNegative) >> 31)) & 0xFF;
    }

    private static double cubic(double x) {
        double d = Math.abs(x);
        if (d < 1.0) {
            return ((CUBIC_A + 2.0) * d - (CUBIC_A + 3.0)) * d * d + 1;
        }
        if (d < 2.0) {
            return (((d - 5) * d + 8) * d - 4) * CUBIC_A;
        }
        return 0.0;
    }

    /**
     * The filter for one axis: output {@code i} reads {@code count[i]} inputs from {@code first[i]}
     * with fixed-point weights at {@code weights[i * stride ...]}.
     *
     * <p>The floating-point steps are written in Pillow's order (multiplying by the reciprocal of
     * the scale, truncating casts) because a weight that rounds differently can move a pixel by one.
     * Building them is cheap next to the resize itself, so they are not cached.
     */
    private record Taps(int[] first, int[] count, int[] weights, int stride) {

        static Taps of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = CUBIC_SUPPORT * filterScale;
            double inverseFilterScale = 1.0 / filterScale;
            int stride = (int) Math.ceil(support) * 2 + 1;
            int[] first = new int[outSize];
            int[] count = new int[outSize];
            int[] weights = new int[outSize * stride];
            double[] raw = new double[stride];
            for (int i = 0; i < outSize; i++) {
                double center = (i + 0.5) * scale;
                int lo = Math.max((int) (center - support + 0.5), 0);
                int hi = Math.min((int) (center + support + 0.5), inSize);
                double sum = 0.0;
                for (int t = 0; t < hi - lo; t++) {
                    raw[t] = cubic((t + lo - center + 0.5) * inverseFilterScale);
                    sum += raw[t];
                }
                for (int t = 0; t < hi - lo; t++) {
                    double normalised = sum != 0.0 ? raw[t] / sum : raw[t];
                    weights[i * stride + t] = toFixedPoint(normalised);
                }
                first[i] = lo;
                count[i] = hi - lo;
            }
            return new Taps(first, count, weights, stride);
        }

        int outSize() {
            return first.length;
        }

        /** Rounds half away from zero, as Pillow does. */
        private static int toFixedPoint(double weight) {
            double scaled = weight * (1 << PRECISION_BITS);
            return (int) (weight < 0 ? scaled - 0.5 : scaled + 0.5);
        }
    }
}
