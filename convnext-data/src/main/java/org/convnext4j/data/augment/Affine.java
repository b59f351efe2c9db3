package org.convnext4j.data.augment;

import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Pillow's {@code Image.transform(size, AFFINE, (a, b, c, d, e, f), resample, fillcolor)} at the
 * image's own size, and {@code Image.rotate}, which builds such a transform.
 *
 * <p>Output pixel (x, y) samples the input at (a·x' + b·y' + c, d·x' + e·y' + f) with x' = x + 0.5,
 * y' = y + 0.5: the matrix maps output pixel centres to input coordinates. A point outside the input
 * takes the fill colour; inside, Pillow's transform filters interpolate without antialiasing, clamp
 * neighbours at the border and truncate (not round) the result to 8 bits.
 */
final class Affine {

    private Affine() {
    }

    static BufferedImage transform(BufferedImage image, double[] matrix, Interpolation interpolation, int fill) {
        if (interpolation == Interpolation.RANDOM) {
            throw new IllegalArgumentException("resolve RANDOM to a filter before transforming");
        }
        int width = image.getWidth();
        int height = image.getHeight();
        int[] in = Rgb.pixels(image);
        int[] out = new int[in.length];
        for (int y = 0; y < height; y++) {
            double yCentre = y + 0.5;
            for (int x = 0; x < width; x++) {
                double xCentre = x + 0.5;
                double xIn = matrix[0] * xCentre + matrix[1] * yCentre + matrix[2];
                double yIn = matrix[3] * xCentre + matrix[4] * yCentre + matrix[5];
                if (xIn < 0.0 || xIn >= width || yIn < 0.0 || yIn >= height) {
                    out[y * width + x] = fill;
                } else if (interpolation == Interpolation.BILINEAR) {
                    out[y * width + x] = bilinear(in, width, height, xIn, yIn);
                } else {
                    out[y * width + x] = bicubic(in, width, height, xIn, yIn);
                }
            }
        }
        return Rgb.image(out, width, height);
    }

    /**
     * {@code Image.rotate(degrees, resample, fillcolor=fill)}: counter-clockwise about the image
     * centre, same size. The matrix is built as Pillow builds it, cosine and sine rounded to 15
     * decimals. Pillow's shortcuts for 0°, 180° (and 90° or 270° on squares) are not needed: with
     * that rounding the transform samples exact pixel centres there, which both filters return as
     * they are.
     */
    static BufferedImage rotate(BufferedImage image, double degrees, Interpolation interpolation, int fill) {
        double angle = -Math.toRadians(pythonModulo(degrees, 360.0));
        double cos = round15(StrictMath.cos(angle));
        double sin = round15(StrictMath.sin(angle));
        double[] matrix = {cos, sin, 0.0, round15(-StrictMath.sin(angle)), cos, 0.0};
        double centreX = image.getWidth() / 2.0;
        double centreY = image.getHeight() / 2.0;
        matrix[2] = matrix[0] * -centreX + matrix[1] * -centreY + matrix[2] + centreX;
        matrix[5] = matrix[3] * -centreX + matrix[4] * -centreY + matrix[5] + centreY;
        return transform(image, matrix, interpolation, fill);
    }

    private static int bilinear(int[] in, int width, int height, double xIn, double yIn) {
        double xs = xIn - 0.5;
        double ys = yIn - 0.5;
        int x = (int) Math.floor(xs);
        int y = (int) Math.floor(ys);
        double dx = xs - x;
        double dy = ys - y;
        int x0 = clamp(x, width);
        int x1 = clamp(x + 1, width);
        int row0 = clamp(y, height) * width;
        int row1 = clamp(y + 1, height) * width;
        int pixel = 0;
        for (int c = 0; c < 3; c++) {
            double top = lerp(Rgb.sample(in[row0 + x0], c), Rgb.sample(in[row0 + x1], c), dx);
            double bottom = lerp(Rgb.sample(in[row1 + x0], c), Rgb.sample(in[row1 + x1], c), dx);
            pixel = (pixel << 8) | (int) lerp(top, bottom, dy);
        }
        return pixel;
    }

    private static int bicubic(int[] in, int width, int height, double xIn, double yIn) {
        double xs = xIn - 0.5;
        double ys = yIn - 0.5;
        int x = (int) Math.floor(xs);
        int y = (int) Math.floor(ys);
        double dx = xs - x;
        double dy = ys - y;
        Columns columns = new Columns(clamp(x - 1, width), clamp(x, width), clamp(x + 1, width),
                clamp(x + 2, width));
        int row0 = clamp(y - 1, height) * width;
        int row1 = clamp(y, height) * width;
        int row2 = clamp(y + 1, height) * width;
        int row3 = clamp(y + 2, height) * width;
        // The channels are written out rather than looped over so that their independent chains
        // of multiply-adds can overlap.
        double r = cubic(columns.cubic(in, row0, 16, dx), columns.cubic(in, row1, 16, dx),
                columns.cubic(in, row2, 16, dx), columns.cubic(in, row3, 16, dx), dy);
        double g = cubic(columns.cubic(in, row0, 8, dx), columns.cubic(in, row1, 8, dx),
                columns.cubic(in, row2, 8, dx), columns.cubic(in, row3, 8, dx), dy);
        double b = cubic(columns.cubic(in, row0, 0, dx), columns.cubic(in, row1, 0, dx),
                columns.cubic(in, row2, 0, dx), columns.cubic(in, row3, 0, dx), dy);
        return (clip8(r) << 16) | (clip8(g) << 8) | clip8(b);
    }

    /** The four clamped columns a bicubic sample reads. */
    private record Columns(int x0, int x1, int x2, int x3) {

        /** Pillow's cubic step along one row, for the channel at {@code shift}. */
        double cubic(int[] in, int row, int shift, double dx) {
            return Affine.cubic((in[row + x0] >> shift) & 0xFF, (in[row + x1] >> shift) & 0xFF,
                    (in[row + x2] >> shift) & 0xFF, (in[row + x3] >> shift) & 0xFF, dx);
        }
    }

    /** Pillow's BILINEAR step; its operand order matters for the truncation that follows. */
    private static double lerp(double a, double b, double d) {
        return a + (b - a) * d;
    }

    /** Pillow's BICUBIC step (a = -0.5 cubic convolution in Horner form, in its operand order). */
    private static double cubic(double v1, double v2, double v3, double v4, double d) {
        double p1 = v2;
        double p2 = -v1 + v3;
        double p3 = 2 * (v1 - v2) + v3 - v4;
        double p4 = -v1 + v2 - v3 + v4;
        return p1 + d * (p2 + d * (p3 + d * p4));
    }

    /** Pillow clamps neighbour indices to the image (its row fallbacks amount to the same). */
    private static int clamp(int index, int size) {
        return Math.max(0, Math.min(size - 1, index));
    }

    private static int clip8(double value) {
        if (value <= 0.0) {
            return 0;
        }
        return value >= 255.0 ? 255 : (int) value;
    }

    /** Python's float {@code %}: the result takes the sign of the divisor. */
    private static double pythonModulo(double value, double divisor) {
        double mod = value % divisor;
        if (mod == 0.0) {
            return 0.0;
        }
        return mod < 0 ? mod + divisor : mod;
    }

    /** Python's {@code round(value, 15)}: correctly rounded, halves to even. */
    private static double round15(double value) {
        return new BigDecimal(value).setScale(15, RoundingMode.HALF_EVEN).doubleValue();
    }
}
