package org.convnext4j.model.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Stochastic depth for one training step of a block: each sample's residual branch is dropped with
 * probability {@code rate}, and kept samples' branches are scaled by 1/(1 − rate), so the expected
 * output is unchanged. Inference drops nothing.
 *
 * @param factors       per sample, 0 or 1/(1 − rate)
 * @param rowsPerSample rows of the block's (positions, channels) matrices that belong to one sample
 */
record DropPath(double[] factors, long rowsPerSample) {

    /** The factors for one step, drawn from ND4J's random generator; null when {@code rate} is 0. */
    static DropPath sample(double rate, long samples, long rowsPerSample) {
        if (rate == 0) {
            return null;
        }
        double[] uniform = Nd4j.rand(DataType.DOUBLE, samples).toDoubleVector();
        double[] factors = new double[uniform.length];
        for (int i = 0; i < uniform.length; i++) {
            factors[i] = uniform[i] >= rate ? 1 / (1 - rate) : 0;   // kept where u >= rate, so P(drop) = rate exactly
        }
        return new DropPath(factors, rowsPerSample);
    }

    /** Checks a rate before a network is built with it. */
    static double checkedRate(double rate) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("drop path rate must be in [0, 1), got " + rate);
        }
        return rate;
    }

    /** The factor for row {@code row} of the block's matrices. */
    double factor(long row) {
        return factors[(int) (row / rowsPerSample)];
    }
}
