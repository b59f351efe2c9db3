package org.convnext4j.data;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Seeded randomness for the data pipeline: independent streams derived from tuples such as (seed,
 * epoch, sample index), so that a stream depends only on the tuple and never on the thread or the
 * order that asks for it, and permutations drawn from them.
 */
public final class Seeds {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private Seeds() {
    }

    /** A 64-bit hash of the parts, in order: tuples that differ in any part give unrelated values. */
    public static long mix(long... parts) {
        long hash = GOLDEN_GAMMA;
        for (long part : parts) {
            hash = mix64(hash ^ part) + GOLDEN_GAMMA;
        }
        return mix64(hash);
    }

    public static SplittableRandom generator(long... parts) {
        return new SplittableRandom(mix(parts));
    }

    /** A uniformly random order of 0..n-1 (Fisher-Yates), drawn from {@code rng}. */
    public static int[] permutation(int n, RandomGenerator rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    /** SplitMix64's finaliser (Stafford's variant 13): a bijection that spreads every input bit. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
