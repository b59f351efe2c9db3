package org.convnext4j.data.augment;

import java.util.random.RandomGenerator;

/** Python's {@code random.uniform(a, b)}, which timm and torchvision draw their ranges with. */
final class Uniform {

    private Uniform() {
    }

    /** {@code a + (b - a) * u} for one {@code nextDouble()} u, in Python's operand order. */
    static double draw(double a, double b, RandomGenerator rng) {
        return a + (b - a) * rng.nextDouble();
    }
}
