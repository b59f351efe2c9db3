package org.convnext4j.model.layers;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.nd4j.linalg.factory.Nd4j;

/**
 * The random draws of one layer's training passes (stochastic depth), in Java, from the seed ND4J's
 * generator was last given and the layer's index: the training loop seeds ND4J's generator before
 * every micro-batch, so a seed gives the same draws on every backend, with either kernel
 * implementation, and in a resumed run. Passes run again without a new seed (a caller that never
 * seeds) get fresh draws: the draws are decided by the seed and the number of passes since it last
 * changed (setting the same seed twice in a row does not start it over; ND4J tells no more).
 *
 * <p>The seed is read back rather than drawn from ND4J's generator because in ND4J 1.0.0-M2.1 a seed
 * set on it does not decide its draws (see {@link WeightDraws}).
 */
final class PassDraws {

    private final int layerIndex;
    private long seed;
    private boolean seeded;
    private int passesSinceSeed;

    PassDraws(int layerIndex) {
        this.layerIndex = layerIndex;
    }

    /** The generator for this training pass. */
    RandomGenerator next() {
        long current = Nd4j.getRandom().getSeed();
        if (!seeded || current != seed) {
            seed = current;
            seeded = true;
            passesSinceSeed = 0;
        }
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + layerIndex * 0xC2B2AE3D27D4EB4FL + passesSinceSeed++);
    }
}
