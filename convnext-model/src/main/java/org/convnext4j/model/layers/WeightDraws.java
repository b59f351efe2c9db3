package org.convnext4j.model.layers;

import java.util.SplittableRandom;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The random initial weights of one layer, drawn in Java from the network's seed and the layer's
 * index, then copied into the parameters: the same values on every backend and in every process.
 *
 * <p>Why not ND4J's generator: in ND4J 1.0.0-M2.1 a seed set on it does not decide its draws
 * ({@code Nd4j.randn} after {@code Nd4j.getRandom().setSeed(0)} gives other values in every call),
 * and a GPU backend's generator would not give the CPU's values anyway. Initialisation runs once,
 * so the copy to the device costs nothing that matters.
 */
final class WeightDraws {

    /** PyTorch's {@code trunc_normal_} bounds, absolute: draws outside [−2, 2] are drawn again. */
    private static final double TRUNCATION_LIMIT = 2.0;

    private final SplittableRandom random;

    private WeightDraws(SplittableRandom random) {
        this.random = random;
    }

    /** The draws of the layer at {@code layerIndex} in a network initialised with {@code seed}. */
    static WeightDraws forLayer(long seed, int layerIndex) {
        return new WeightDraws(new SplittableRandom(seed * 0x9E3779B97F4A7C15L + layerIndex));
    }

    /** PyTorch's {@code trunc_normal_(std=std)} into {@code target}: normal(0, std), draws outside [−2, 2] drawn again. */
    void truncatedNormal(INDArray target, double std) {
        int length = Math.toIntExact(target.length());
        INDArray values;
        if (target.dataType() == DataType.FLOAT) {
            float[] draws = new float[length];
            for (int i = 0; i < length; i++) {
                draws[i] = (float) nextTruncated(std);
            }
            values = Nd4j.createFromArray(draws);
        } else {
            double[] draws = new double[length];
            for (int i = 0; i < length; i++) {
                draws[i] = nextTruncated(std);
            }
            values = Nd4j.createFromArray(draws).castTo(target.dataType());
        }
        try (values) {
            target.assign(values.reshape(target.shape()));
        }
    }

    private double nextTruncated(double std) {
        double value;
        do {
            value = std * random.nextGaussian();
        } while (Math.abs(value) > TRUNCATION_LIMIT);
        return value;
    }
}
