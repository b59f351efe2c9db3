package org.convnext4j.data.augment;

import java.awt.image.BufferedImage;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * timm's RandAugment ({@code rand_augment_transform}): per image, {@code numOps} operations chosen
 * uniformly with replacement, each applied with {@code probability} at a magnitude drawn around
 * {@code magnitude}.
 *
 * <p>Draws from the generator, in order: {@code numOps} times {@code nextInt(15)} for the operations
 * (timm draws them all up front); then per chosen operation, when {@code probability < 1}, one
 * {@code nextDouble()} (the operation is skipped when it exceeds {@code probability}); for an applied
 * operation, the magnitude noise ({@code nextGaussian()}, or {@code nextDouble()} when
 * {@code magnitudeStd} is infinite) and then the operation's own draws (see {@link AugmentOp}).
 *
 * @param magnitude timm's {@code m}, 0 to 10 spanning each operation's range
 * @param numOps timm's {@code n}, operations per image
 * @param probability timm's {@code p}, chance that a chosen operation is applied
 * @param magnitudeStd timm's {@code mstd}: standard deviation of Gaussian noise on the magnitude,
 *     drawn per application; infinite for a uniform magnitude in [0, magnitude]
 * @param magnitudeMax timm's {@code mmax}: the magnitude (noise included) is clipped to [0, this]
 * @param increasing timm's {@code inc}: use the operations that grow stronger with the magnitude
 * @param interpolation filter of the geometric operations
 * @param fill colour ({@code 0xRRGGBB}) of areas the geometric operations uncover
 */
public record RandAugment(int magnitude, int numOps, double probability, double magnitudeStd, int magnitudeMax,
        boolean increasing, Interpolation interpolation, int fill) {

    /** timm switches to a uniform magnitude for a larger {@code mstd}. */
    private static final double UNIFORM_ABOVE_STD = 100.0;

    public RandAugment {
        if (magnitude < 0) {
            throw new IllegalArgumentException("magnitude must be >= 0, got " + magnitude);
        }
        if (numOps < 0) {
            throw new IllegalArgumentException("numOps must be >= 0, got " + numOps);
        }
        if (!(probability >= 0.0 && probability <= 1.0)) {
            throw new IllegalArgumentException("probability must be in [0, 1], got " + probability);
        }
        if (!(magnitudeStd >= 0.0)) {
            throw new IllegalArgumentException("magnitudeStd must be >= 0, got " + magnitudeStd);
        }
        if (magnitudeMax <= 0) {
            throw new IllegalArgumentException("magnitudeMax must be positive, got " + magnitudeMax);
        }
        if (interpolation == null) {
            throw new IllegalArgumentException("interpolation must be given, got null");
        }
        if ((fill & ~0xFFFFFF) != 0) {
            throw new IllegalArgumentException("fill must be an 0xRRGGBB colour, got 0x" + Integer.toHexString(fill));
        }
    }

    /**
     * Parses a timm config string such as {@code rand-m9-mstd0.5-inc1}: {@code rand}, then dash
     * separated keys each followed by its number: {@code m} (default 10), {@code n} (2), {@code p}
     * (0.5), {@code mstd} (0; above 100 means uniform), {@code mmax} (10; 0 also means 10), and
     * {@code inc} (0). Unlike timm, which reads any {@code inc} value as true, {@code inc0} is off;
     * and unknown, repeated or malformed sections are refused rather than skipped.
     */
    public static RandAugment parse(String config, Interpolation interpolation, int fill) {
        String[] sections = config.split("-", -1);
        if (!sections[0].equals("rand")) {
            throw new IllegalArgumentException("RandAugment config must start with 'rand', got " + config);
        }
        int magnitude = (int) MagnitudeArguments.DENOMINATOR;
        int numOps = 2;
        double probability = 0.5;
        double magnitudeStd = 0.0;
        int magnitudeMax = (int) MagnitudeArguments.DENOMINATOR;
        boolean increasing = false;
        Set<String> seen = new HashSet<>();
        for (int i = 1; i < sections.length; i++) {
            String section = sections[i];
            int digit = firstDigit(section, config);
            String key = section.substring(0, digit);
            String value = section.substring(digit);
            if (!seen.add(key)) {
                throw new IllegalArgumentException("repeated RandAugment key '" + key + "' in " + config);
            }
            switch (key) {
                case "m" -> magnitude = integer(key, value, config);
                case "n" -> numOps = integer(key, value, config);
                case "p" -> probability = decimal(key, value, config);
                case "mstd" -> {
                    double std = decimal(key, value, config);
                    magnitudeStd = std > UNIFORM_ABOVE_STD ? Double.POSITIVE_INFINITY : std;
                }
                case "mmax" -> {
                    int max = integer(key, value, config);
                    magnitudeMax = max == 0 ? (int) MagnitudeArguments.DENOMINATOR : max;
                }
                case "inc" -> increasing = integer(key, value, config) != 0;
                default -> throw new IllegalArgumentException("unknown RandAugment key '" + key + "' in " + config);
            }
        }
        return new RandAugment(magnitude, numOps, probability, magnitudeStd, magnitudeMax, increasing,
                interpolation, fill);
    }

    public BufferedImage apply(BufferedImage image, RandomGenerator rng) {
        return apply(image, rng, step -> { });
    }

    /** As {@link #apply(BufferedImage, RandomGenerator)}, reporting each chosen operation to {@code trace}. */
    BufferedImage apply(BufferedImage image, RandomGenerator rng, Consumer<Step> trace) {
        List<AugmentOp> ops = ops();
        AugmentOp[] chosen = new AugmentOp[numOps];
        for (int i = 0; i < numOps; i++) {
            chosen[i] = ops.get(rng.nextInt(ops.size()));
        }
        AugmentOp.Geometry geometry = new AugmentOp.Geometry(interpolation, fill);
        for (AugmentOp op : chosen) {
            if (probability < 1.0 && rng.nextDouble() > probability) {
                trace.accept(new Step(op, false, Double.NaN));
                continue;
            }
            double level = level(rng);
            trace.accept(new Step(op, true, level));
            image = op.apply(image, level, geometry, rng);
        }
        return image;
    }

    List<AugmentOp> ops() {
        return increasing ? AugmentOp.INCREASING : AugmentOp.STANDARD;
    }

    private double level(RandomGenerator rng) {
        double level = magnitude;
        if (magnitudeStd == Double.POSITIVE_INFINITY) {
            level = Uniform.draw(0.0, magnitude, rng);
        } else if (magnitudeStd > 0.0) {
            level = magnitude + magnitudeStd * rng.nextGaussian();
        }
        return Math.max(0.0, Math.min(level, magnitudeMax));
    }

    /** One chosen operation: whether it was applied, and at which magnitude (NaN when skipped). */
    record Step(AugmentOp op, boolean applied, double magnitude) {
    }

    /** Where a section's number starts; a section without one is an unknown key. */
    private static int firstDigit(String section, String config) {
        for (int i = 0; i < section.length(); i++) {
            if (Character.isDigit(section.charAt(i))) {
                return i;
            }
        }
        throw new IllegalArgumentException("unknown RandAugment key '" + section + "' (no number) in " + config);
    }

    private static int integer(String key, String value, String config) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("RandAugment key '" + key + "' needs an integer, got " + value
                    + " in " + config);
        }
    }

    private static double decimal(String key, String value, String config) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("RandAugment key '" + key + "' needs a number, got " + value
                    + " in " + config);
        }
    }
}
