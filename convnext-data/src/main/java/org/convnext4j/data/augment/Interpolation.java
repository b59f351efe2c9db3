package org.convnext4j.data.augment;

import java.util.random.RandomGenerator;

/** The resampling filter of RandAugment's geometric operations (timm's {@code interpolation}). */
public enum Interpolation {

    /** Pillow's BILINEAR in {@code Image.transform}: 2×2 neighbours, no antialiasing. */
    BILINEAR,
    /** Pillow's BICUBIC in {@code Image.transform}: 4×4 neighbours, no antialiasing. */
    BICUBIC,
    /** timm's {@code 'random'}: BILINEAR or BICUBIC, drawn with equal odds for each operation. */
    RANDOM;

    /** This filter, or for RANDOM one of the other two, drawn with one {@code nextInt(2)}. */
    Interpolation resolve(RandomGenerator rng) {
        if (this != RANDOM) {
            return this;
        }
        return rng.nextInt(2) == 0 ? BILINEAR : BICUBIC;
    }
}
