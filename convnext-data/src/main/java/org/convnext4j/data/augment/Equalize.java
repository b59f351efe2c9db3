package org.convnext4j.data.augment;

import java.awt.image.BufferedImage;

/** Pillow's {@code ImageOps.equalize(image)}: per channel, maps the cumulative histogram to 0..255. */
final class Equalize {

    private Equalize() {
    }

    static BufferedImage apply(BufferedImage image) {
        return Lut.fromHistograms(image, Equalize::table);
    }

    /**
     * Pillow's integer steps: the count of the brightest value present is left out of the step, and
     * a channel with one value, or too few samples for a step of 1, is left unchanged. Entries can
     * reach 256 from the brightest value up; Lut clips them, as Pillow does.
     */
    private static int[] table(int[] histogram) {
        long total = 0;
        int brightest = -1;
        for (int v = 0; v < 256; v++) {
            total += histogram[v];
            if (histogram[v] != 0) {
                brightest = v;
            }
        }
        boolean oneValue = brightest < 0 || total == histogram[brightest];
        long step = oneValue ? 0 : (total - histogram[brightest]) / 255;
        if (step == 0) {
            return Lut.identity();
        }
        int[] table = new int[256];
        long n = step / 2;
        for (int v = 0; v < 256; v++) {
            table[v] = (int) (n / step);
            n += histogram[v];
        }
        return table;
    }
}
