package org.convnext4j.data.augment;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The operations RandAugment chooses from, as timm's {@code NAME_TO_OP} and {@code LEVEL_TO_ARG}
 * pair them. Randomness inside an operation, drawn in timm's order: the sign of a signed argument
 * (one {@code nextDouble()}, negative when above 0.5), then for geometric operations the filter
 * when it is {@link Interpolation#RANDOM}.
 */
enum AugmentOp {
    AUTO_CONTRAST {
        @Override
        BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng) {
            return AutoContrast.apply(image);
        }
    },
    EQUALIZE {
        @Override
        BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng) {
            return Equalize.apply(image);
        }
    },
    INVERT {
        @Override
        BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng) {
            return Lut.apply(image, Lut.invert());
        }
    },
    ROTATE {
        @Override
        BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng) {
            double degrees = MagnitudeArguments.rotate(magnitude, negative(rng));
            return geometry.rotate(image, degrees, rng);
        }
    },
    POSTERIZE {
        @Override
        BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng) {
            return Lut.apply(image, Lut.posterize(MagnitudeArguments.posterizeBits(magnitude)));
        }
    },
    POSTERIZE_INCREASING {
        @Override
        BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng) {
            return Lut.apply(image, Lut.posterize(MagnitudeArguments.posterizeIncreasingBits(magnitude)));
        }
    },
    SOLARIZE {
        @Override
        BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng) {
            return Lut.apply(image, Lut.solarize(MagnitudeArguments.solarizeThreshold(magnitude)));
        }
    },
    SOLARIZE_INCREASING {
        @Override
        BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng) {
            return Lut.apply(image, Lut.solarize(MagnitudeArguments.solarizeIncreasingThreshold(magnitude)));
        }
    },
    SOLARIZE_ADD {
        @Override
        BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng) {
            return Lut.apply(image, Lut.solarizeAdd(MagnitudeArguments.solarizeAdd(magnitude), SOLARIZE_ADD_THRESHOLD));
        }
    },
    COLOR {
        @Override
        BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng) {
            return Enhance.COLOR.apply(image, MagnitudeArguments.enhance(magnitude));
        }
    },
    COLOR_INCREASING {
        @Override
        BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng) {
            return Enhance.COLOR.apply(image, MagnitudeArguments.enhanceIncreasing(magnitude, negative(rng)));
        }
    },
    CONTRAST {
        @Override
        BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng) {
            return Enhance.CONTRAST.apply(image, MagnitudeArguments.enhance(magnitude));
        }
    },
    CONTRAST_INCREASING {
        @Override
        BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng) {
            return Enhance.CONTRAST.apply(image, MagnitudeArguments.enhanceIncreasing(magnitude, negative(rng)));
        }
    },
    BRIGHTNESS {
        @Override
        BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng) {
            return Enhance.BRIGHTNESS.apply(image, MagnitudeArguments.enhance(magnitude));
        }
    },
    BRIGHTNESS_INCREASING {
        @Override
        BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng) {
            return Enhance.BRIGHTNESS.apply(image, MagnitudeArguments.enhanceIncreasing(magnitude, negative(rng)));
        }
    },
    SHARPNESS {
        @Override
        BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng) {
            return Enhance.SHARPNESS.apply(image, MagnitudeArguments.enhance(magnitude));
        }
    },
    SHARPNESS_INCREASING {
        @Override
        BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng) {
            return Enhance.SHARPNESS.apply(image, MagnitudeArguments.enhanceIncreasing(magnitude, negative(rng)));
        }
    },
    SHEAR_X {
        @Override
        BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng) {
            double factor = MagnitudeArguments.shear(magnitude, negative(rng));
            return geometry.transform(image, new double[] {1, factor, 0, 0, 1, 0}, rng);
        }
    },
    SHEAR_Y {
        @Override
        BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng) {
            double factor = MagnitudeArguments.shear(magnitude, negative(rng));
            return geometry.transform(image, new double[] {1, 0, 0, factor, 1, 0}, rng);
        }
    },
    TRANSLATE_X_REL {
        @Override
        BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng) {
            double pixels = MagnitudeArguments.translateFraction(magnitude, negative(rng)) * image.getWidth();
            return geometry.transform(image, new double[] {1, 0, pixels, 0, 1, 0}, rng);
        }
    },
    TRANSLATE_Y_REL {
        @Override
        BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng) {
            double pixels = MagnitudeArguments.translateFraction(magnitude, negative(rng)) * image.getHeight();
            return geometry.transform(image, new double[] {1, 0, 0, 0, 1, pixels}, rng);
        }
    };

    /** timm's {@code _RAND_TRANSFORMS}, used without {@code inc1}. */
    static final List<AugmentOp> STANDARD = List.of(AUTO_CONTRAST, EQUALIZE, INVERT, ROTATE, POSTERIZE, SOLARIZE,
            SOLARIZE_ADD, COLOR, CONTRAST, BRIGHTNESS, SHARPNESS, SHEAR_X, SHEAR_Y, TRANSLATE_X_REL, TRANSLATE_Y_REL);
    /** timm's {@code _RAND_INCREASING_TRANSFORMS}, used with {@code inc1}: every op grows stronger with m. */
    static final List<AugmentOp> INCREASING = List.of(AUTO_CONTRAST, EQUALIZE, INVERT, ROTATE, POSTERIZE_INCREASING,
            SOLARIZE_INCREASING, SOLARIZE_ADD, COLOR_INCREASING, CONTRAST_INCREASING, BRIGHTNESS_INCREASING,
            SHARPNESS_INCREASING, SHEAR_X, SHEAR_Y, TRANSLATE_X_REL, TRANSLATE_Y_REL);

    /** timm's {@code solarize_add} default threshold. */
    private static final int SOLARIZE_ADD_THRESHOLD = 128;

    abstract BufferedImage apply(BufferedImage image, double magnitude, Geometry geometry, RandomGenerator rng);

    /** timm's {@code _randomly_negate}. */
    private static boolean negative(RandomGenerator rng) {
        return rng.nextDouble() > 0.5;
    }

    /** How geometric operations resample, and what they fill uncovered areas with ({@code 0xRRGGBB}). */
    record Geometry(Interpolation interpolation, int fill) {

        BufferedImage transform(BufferedImage image, double[] matrix, RandomGenerator rng) {
            return Affine.transform(image, matrix, interpolation.resolve(rng), fill);
        }

        BufferedImage rotate(BufferedImage image, double degrees, RandomGenerator rng) {
            return Affine.rotate(image, degrees, interpolation.resolve(rng), fill);
        }
    }
}
