package org.convnext4j.model.layers;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.convnext4j.model.kernels.Views;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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
    /** Draws copied to the parameters at a time. */
    private static final int CHUNK = 1 << 16;

    private final SplittableRandom random;

    private WeightDraws(SplittableRandom random) {
        this.random = random;
    }

    /** The draws of the layer at {@code layerIndex} in a network initialised with {@code seed}. */
    static WeightDraws forLayer(long seed, int layerIndex) {
        return new WeightDraws(new SplittableRandom(seed * 0x9E3779B97F4A7C15L + layerIndex));
    }

    /**
     * PyTorch's {@code trunc_normal_(std=std)} into {@code target}: normal(0, std), draws outside [−2, 2]
     * drawn again. Copied in chunks: a whole tensor's draws at once (ConvNeXt-T's model-sized total)
     * grew the Java heap, and the process's memory with it, for nothing.
     */
    void truncatedNormal(INDArray target, double std) {
        if (target.isEmpty()) {
            return;
        }
        if (!Views.contiguous(target)) {
            INDArray contiguous = target.dup('c');
            truncatedNormal(contiguous, std);
            target.assign(contiguous);
            return;
        }
        INDArray flat = Views.reshaped(target, target.length());
        double[] draws = new double[(int) Math.min(CHUNK, flat.length())];
        for (long start = 0; start < flat.length(); start += CHUNK) {
            int length = (int) Math.min(CHUNK, flat.length() - start);
            for (int i = 0; i < length; i++) {
                draws[i] = nextTruncated(std);
            }
            double[] chunk = length == draws.length ? draws : Arrays.copyOf(draws, length);
            try (INDArray part = Nd4j.createFromArray(chunk)) {
                INDArray typed = part.castTo(target.dataType());   // part itself when the type is double
                flat.get(NDArrayIndex.interval(start, start + length)).assign(typed);
                if (typed != part) {
                    typed.close();
                }
            }
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
