package org.convnext4j.model.kernels;

import java.util.random.RandomGenerator;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Stochastic depth for one training step of a block: each sample's residual branch is dropped with
 * probability {@code rate}, and kept samples' branches are scaled by 1/(1 − rate), so the expected
 * output is unchanged. Inference drops nothing.
 *
 * @param factors       per sample, 0 or 1/(1 − rate): a (samples) vector, on the backend's device
 * @param rowsPerSample rows of the block's (positions, channels) matrices that belong to one sample
 */
public record DropPath(INDArray factors, long rowsPerSample) {

    /**
     * The factors for one step, drawn in Java from {@code random} (so that a seed gives the same
     * factors on every backend and with every kernel implementation) and copied to the device, one
     * value per sample; null when {@code rate} is 0.
     */
    public static DropPath sample(double rate, int samples, long rowsPerSample, DataType dataType, RandomGenerator random) {
        if (rate == 0) {
            return null;
        }
        double[] factors = new double[samples];
        for (int i = 0; i < samples; i++) {
            factors[i] = random.nextDouble() >= rate ? 1 / (1 - rate) : 0;   // kept where u >= rate, so P(drop) = rate exactly
        }
        INDArray drawn = Nd4j.createFromArray(factors);
        if (dataType == drawn.dataType()) {
            return new DropPath(drawn, rowsPerSample);
        }
        try (drawn) {
            return new DropPath(drawn.castTo(dataType), rowsPerSample);
        }
    }

    /** Checks a rate before a network is built with it. */
    public static double checkedRate(double rate) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("drop path rate must be in [0, 1), got " + rate);
        }
        return rate;
    }
}
