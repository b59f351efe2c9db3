package org.convnext4j.data.augment;

/**
 * timm's {@code _*_level_to_arg} functions: RandAugment's magnitude (0 to 10, or up to {@code mmax})
 * to each operation's argument. The arithmetic is written in timm's order, in doubles like Python's
 * floats, so that arguments equal timm's to the bit. Signed arguments take the sign timm's
 * {@code _randomly_negate} drew.
 */
final class MagnitudeArguments {

    /** timm's {@code _LEVEL_DENOM}: magnitude 10 is the full range of every operation. */
    static final double DENOMINATOR = 10.0;

    private MagnitudeArguments() {
    }

    /** Degrees, up to ±30. */
    static double rotate(double magnitude, boolean negative) {
        return sign((magnitude / DENOMINATOR) * 30.0, negative);
    }

    /** Shear factor, up to ±0.3. */
    static double shear(double magnitude, boolean negative) {
        return sign((magnitude / DENOMINATOR) * 0.3, negative);
    }

    /** Translation as a fraction of the image side, up to ±0.45. */
    static double translateFraction(double magnitude, boolean negative) {
        return sign((magnitude / DENOMINATOR) * 0.45, negative);
    }

    /** Enhancement factor, 0.1 at magnitude 0 rising to 1.9: not centred on "no change". */
    static double enhance(double magnitude) {
        return (magnitude / DENOMINATOR) * 1.8 + 0.1;
    }

    /** Enhancement factor 1 ± 0.9·m/10, moving away from "no change" as m grows; at least 0.1. */
    static double enhanceIncreasing(double magnitude, boolean negative) {
        return Math.max(0.1, 1.0 + sign((magnitude / DENOMINATOR) * 0.9, negative));
    }

    /** Bits kept, 0 to 4: fewer bits (stronger) at low magnitude. */
    static int posterizeBits(double magnitude) {
        return (int) ((magnitude / DENOMINATOR) * 4);
    }

    /** Bits kept, 4 down to 0 as magnitude grows. */
    static int posterizeIncreasingBits(double magnitude) {
        return 4 - posterizeBits(magnitude);
    }

    /** Threshold, 0 to 256: stronger (lower) at low magnitude. */
    static int solarizeThreshold(double magnitude) {
        return Math.min(256, (int) ((magnitude / DENOMINATOR) * 256));
    }

    /** Threshold, 256 down to 0 as magnitude grows. */
    static int solarizeIncreasingThreshold(double magnitude) {
        return 256 - solarizeThreshold(magnitude);
    }

    /** Amount added below threshold 128, 0 to 110 (128 at most past magnitude 10). */
    static int solarizeAdd(double magnitude) {
        return Math.min(128, (int) ((magnitude / DENOMINATOR) * 110));
    }

    private static double sign(double value, boolean negative) {
        return negative ? -value : value;
    }
}
