package org.convnext4j.data.augment;

import java.awt.image.BufferedImage;

/**
 * Pillow's {@code Image.point} with one 256-entry table per channel, and the fixed tables of
 * {@code ImageOps.invert}, {@code posterize}, {@code solarize} and timm's {@code solarize_add}.
 */
final class Lut {

    private Lut() {
    }

    static BufferedImage apply(BufferedImage image, int[] table) {
        return apply(image, new int[][] {table, table, table});
    }

    /** Maps each channel through a table made from that channel's histogram (autocontrast, equalize). */
    static BufferedImage fromHistograms(BufferedImage image, java.util.function.Function<int[], int[]> tableOf) {
        int[][] histograms = Rgb.histograms(Rgb.pixels(image));
        int[][] tables = new int[3][];
        for (int c = 0; c < 3; c++) {
            tables[c] = tableOf.apply(histograms[c]);
        }
        return apply(image, tables);
    }

    /** Table entries outside 0..255 are clipped, as Pillow does when it builds its byte table. */
    static BufferedImage apply(BufferedImage image, int[][] tables) {
        int[][] clipped = new int[3][256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                clipped[c][v] = Math.max(0, Math.min(255, tables[c][v]));
            }
        }
        int[] pixels = Rgb.pixels(image);
        for (int i = 0; i < pixels.length; i++) {
            int p = pixels[i];
            pixels[i] = Rgb.pack(clipped[0][Rgb.sample(p, 0)], clipped[1][Rgb.sample(p, 1)], clipped[2][Rgb.sample(p, 2)]);
        }
        return Rgb.image(pixels, image.getWidth(), image.getHeight());
    }

    static int[] identity() {
        int[] table = new int[256];
        for (int v = 0; v < 256; v++) {
            table[v] = v;
        }
        return table;
    }

    static int[] invert() {
        int[] table = new int[256];
        for (int v = 0; v < 256; v++) {
            table[v] = 255 - v;
        }
        return table;
    }

    /** Keeps the top {@code bits} bits of each sample; 0 bits gives black, 8 or more the image. */
    static int[] posterize(int bits) {
        int mask = bits >= 8 ? 0xFF : ~((1 << (8 - bits)) - 1);
        int[] table = new int[256];
        for (int v = 0; v < 256; v++) {
            table[v] = v & mask;
        }
        return table;
    }

    /** Inverts the samples at or above {@code threshold}. */
    static int[] solarize(int threshold) {
        int[] table = new int[256];
        for (int v = 0; v < 256; v++) {
            table[v] = v < threshold ? v : 255 - v;
        }
        return table;
    }

    /** Adds {@code add} to the samples below {@code threshold}, saturating at 255. */
    static int[] solarizeAdd(int add, int threshold) {
        int[] table = new int[256];
        for (int v = 0; v < 256; v++) {
            table[v] = v < threshold ? Math.min(255, v + add) : v;
        }
        return table;
    }
}
