package org.convnext4j.data.augment;

import java.awt.image.BufferedImage;

/** Packed {@code 0xRRGGBB} pixel arrays in and out of {@code TYPE_INT_RGB} images, and their channels. */
final class Rgb {

    /** Bit shifts of the red, green and blue samples in a packed pixel. */
    static final int[] SHIFTS = {16, 8, 0};

    private Rgb() {
    }

    static int[] pixels(BufferedImage image) {
        if (image.getType() != BufferedImage.TYPE_INT_RGB) {
            throw new IllegalArgumentException(
                    "expected a TYPE_INT_RGB image (see ImageDecoder), got type " + image.getType());
        }
        int width = image.getWidth();
        // Raster data elements are copied row by row; getRGB/setRGB would convert every pixel.
        int[] pixels = (int[]) image.getRaster().getDataElements(0, 0, width, image.getHeight(), null);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] &= 0xFFFFFF;
        }
        return pixels;
    }

    static BufferedImage image(int[] pixels, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.getRaster().setDataElements(0, 0, width, height, pixels);
        return image;
    }

    static int sample(int pixel, int channel) {
        return (pixel >> SHIFTS[channel]) & 0xFF;
    }

    static int pack(int red, int green, int blue) {
        return (red << 16) | (green << 8) | blue;
    }

    /** Pillow's {@code convert("L")} of one pixel: ITU-R 601-2 luma in 16-bit fixed point. */
    static int luma(int pixel) {
        return (sample(pixel, 0) * 19595 + sample(pixel, 1) * 38470 + sample(pixel, 2) * 7471 + 0x8000) >> 16;
    }

    /** Pillow's {@code histogram()} of an RGB image, one 256-bin histogram per channel. */
    static int[][] histograms(int[] pixels) {
        int[][] histograms = new int[3][256];
        for (int pixel : pixels) {
            for (int c = 0; c < 3; c++) {
                histograms[c][sample(pixel, c)]++;
            }
        }
        return histograms;
    }

    static int clip8(float value) {
        if (value <= 0f) {
            return 0;
        }
        return value >= 255f ? 255 : (int) value;
    }
}
