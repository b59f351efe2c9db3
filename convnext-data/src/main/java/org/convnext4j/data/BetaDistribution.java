package org.convnext4j.data;

import java.util.random.RandomGenerator;

/** Samples of Beta(α, α), the mixing weight distribution of mixup and cutmix (NumPy's {@code random.beta}). */
final class BetaDistribution {

    private BetaDistribution() {
    }

    /** Beta(α, α) as X / (X + Y) with X, Y independent Gamma(α, 1). */
    static double symmetric(RandomGenerator rng, double alpha) {
        double x = gamma(rng, alpha);
        double y = gamma(rng, alpha);
        return x / (x + y);
    }

    /**
     * Marsaglia and Tsang's method (2000). Below shape 1 it samples shape + 1 and scales by
     * U^(1/shape); U is drawn from (0, 1] so that the result, and X + Y, is never zero.
     */
    static double gamma(RandomGenerator rng, double shape) {
        if (shape < 1.0) {
            return gamma(rng, shape + 1.0) * Math.pow(1.0 - rng.nextDouble(), 1.0 / shape);
        }
        double d = shape - 1.0 / 3.0;
        double c = 1.0 / Math.sqrt(9.0 * d);
        while (true) {
            double x;
            double v;
            do {
                x = rng.nextGaussian();
                v = 1.0 + c * x;
            } while (v <= 0.0);
            v = v * v * v;
            double u = rng.nextDouble();
            if (u < 1.0 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1.0 - v + Math.log(v))) {
                return d * v;
            }
        }
    }
}
