package org.convnext4j.data.augment;

import java.awt.image.BufferedImage;

/**
 * Pillow's {@code ImageOps.autocontrast(image)} (no cutoff): per channel, stretches the range of the
 * samples present to 0..255.
 */
final class AutoContrast {

    private AutoContrast() {
    }

    static BufferedImage apply(BufferedImage image) {
        return Lut.fromHistograms(image, AutoContrast::table);
    }

    private static int[] table(int[] histogram) {
        int lo = 0;
        while (lo < 255 && histogram[lo] == 0) {
            lo++;
        }
        int hi = 255;
        while (hi > 0 && histogram[hi] == 0) {
            hi--;
        }
        if (hi <= lo) {
            return Lut.identity();
        }
        // Pillow's double arithmetic and truncation, so that every entry lands where Pillow puts it.
        double scale = 255.0 / (hi - lo);
        double offset = -lo * scale;
        int[] table = new int[256];
        for (int v = 0; v < 256; v++) {
            table[v] = (int) (v * scale + offset);
        }
        return table;
    }
}
