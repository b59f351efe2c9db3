package org.convnext4j.model.kernels.java;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

import org.apache.commons.math3.special.Erf;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The MLP's bias add and exact GELU, GELU(h) = ½·h·(1 + erf(h/√2)), and its gradient, as fused
 * passes over rows (see {@link RowChunks}); see {@link org.convnext4j.model.kernels.Kernels#gelu}.
 *
 * <p>Only twice the activation, h·(1 + erf(h/√2)), is written: the block folds the ½ into fc2's
 * matmul, where it is exact. The backward pass recomputes its derivative from the pre-activation
 * rather than keeping anything: a wide array fewer per block, as in PyTorch, which keeps only input
 * and output.
 *
 * <p>Float arrays use rational approximations of our own written as plain arithmetic, which HotSpot
 * vectorises, fitted by {@code docs/gelu_rational_fit.py}: erf for the forward pass, and for the
 * backward pass the derivative itself, 1 + g(h) with g(h) = erf(h/√2) + h·√(2/π)·exp(−h²/2), so that
 * neither pass needs an exp. Each is odd, x·P(x²)/Q(x²) up to a clamp where it has reached ±1 to
 * float's resolution (the forward pass clamps |x|, with x·erf(x) = |x|·erf(|x|)), and evaluated in fused multiply-adds (a product and a sum HotSpot may not fuse
 * itself). Double arrays, which the gradient checks use, take exact library values.
 */
final class Gelu {

    private static final double INV_SQRT_2 = 1.0 / Math.sqrt(2.0);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final float INV_SQRT_2_F = (float) INV_SQRT_2;

    // erf(x) ≈ x·P(x²)/Q(x²) for |x| ≤ 3.92 (erf(3.92) = 1 − 3e-8): |error| 4.3e-8 exact, 3.3e-7 in float.
    private static final float ERF_CLAMP = 3.92f;
    private static final float ERF_P0 = 1.1283787774206948f;
    private static final float ERF_P1 = 0.20611965001442248f;
    private static final float ERF_P2 = 0.051397960365533332f;
    private static final float ERF_P3 = 0.0039731056133095908f;
    private static final float ERF_P4 = 1.4899024817728021e-04f;
    private static final float ERF_P5 = -1.9942670162937594e-06f;
    private static final float ERF_P6 = 1.9920417818982468e-08f;
    private static final float ERF_Q1 = 0.5159975488015774f;
    private static final float ERF_Q2 = 0.11756676756550473f;
    private static final float ERF_Q3 = 0.01488965911156657f;
    private static final float ERF_Q4 = 0.0010241708131408f;
    // g(h) ≈ h·P(h²)/Q(h²) for |h| ≤ 5.9 (1 − g(5.9) = 1.3e-7): |error| 1.1e-10 exact, 3.9e-7 in float.
    private static final float SLOPE_CLAMP = 5.9f;
    private static final float SLOPE_P0 = 1.5957691225352497f;
    private static final float SLOPE_P1 = -7.2127702534059784e-02f;
    private static final float SLOPE_P2 = 2.9541159222418397e-02f;
    private static final float SLOPE_P3 = -1.1620685671827312e-04f;
    private static final float SLOPE_P4 = 8.1317128829770847e-05f;
    private static final float SLOPE_P5 = 5.8300598369660494e-07f;
    private static final float SLOPE_P6 = 5.9738943997419910e-08f;
    private static final float SLOPE_P7 = 1.8348117179441486e-10f;
    private static final float SLOPE_Q1 = 2.8813400559756419e-01f;
    private static final float SLOPE_Q2 = 3.9556820850531887e-02f;
    private static final float SLOPE_Q3 = 3.4075350039900459e-03f;
    private static final float SLOPE_Q4 = 2.0341378580065637e-04f;
    private static final float SLOPE_Q5 = 8.7247520612997916e-06f;
    private static final float SLOPE_Q6 = 2.6084226622756447e-07f;
    private static final float SLOPE_Q7 = 5.4878920272794451e-09f;

    // Working-array slots.
    private static final int IN = 0;
    private static final int GRADIENT = 1;
    private static final int BIAS_TILE = 0;

    private Gelu() {
    }

    static void forward(INDArray hidden, INDArray bias, INDArray twiceActivated) {
        if (RowChunks.checkedType(hidden, twiceActivated) == DataType.FLOAT) {
            forwardFloat(hidden, bias, twiceActivated);
        } else {
            forwardDouble(hidden, bias, twiceActivated);
        }
    }

    private static void forwardFloat(INDArray hidden, INDArray bias, INDArray twiceActivated) {
        int columns = (int) hidden.size(1);
        float[] b = RowChunks.tiled(bias, columns, BIAS_TILE);
        FloatBuffer hiddenValues = RowChunks.floatBuffer(hidden);
        FloatBuffer twiceActivatedValues = RowChunks.floatBuffer(twiceActivated);
        RowChunks.forEach(hidden.size(0), columns, chunk -> {
            int length = chunk.length();
            float[] h = chunk.read(hiddenValues, IN);
            // The approximation written out in the loop, not called: HotSpot leaves a call to a method it has
            // already compiled on its own (as a hot method) out of the loop, and the loop scalar.
            for (int i = 0; i < length; i++) {
                // x·(1 + erf(x/√2)) = x + |x|·erf(|x|/√2), erf being odd: one clamp (a min) instead of two
                float x = h[i] + b[i];
                float magnitude = Math.abs(x);
                float c = Math.min(ERF_CLAMP, magnitude * INV_SQRT_2_F);
                float t = c * c;
                float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(ERF_P6, t, ERF_P5), t, ERF_P4), t, ERF_P3), t,
                        ERF_P2), t, ERF_P1), t, ERF_P0);
                float q = Math.fma(Math.fma(Math.fma(Math.fma(ERF_Q4, t, ERF_Q3), t, ERF_Q2), t, ERF_Q1), t, 1f);
                h[i] = Math.fma(magnitude, c * p / q, x);
            }
            chunk.write(h, twiceActivatedValues);
        });
    }

    private static void forwardDouble(INDArray hidden, INDArray bias, INDArray twiceActivated) {
        int columns = (int) hidden.size(1);
        double[] b = bias.toDoubleVector();
        DoubleBuffer hiddenValues = RowChunks.doubleBuffer(hidden);
        DoubleBuffer twiceActivatedValues = RowChunks.doubleBuffer(twiceActivated);
        RowChunks.forEach(hidden.size(0), columns, chunk -> {
            int length = chunk.length();
            double[] h = chunk.read(hiddenValues, IN);
            for (int i = 0; i < length; i++) {
                double biased = h[i] + b[i % columns];
                h[i] = biased * Erf.erfc(-biased * INV_SQRT_2);
            }
            chunk.write(h, twiceActivatedValues);
        });
    }

    static void backward(INDArray hidden, INDArray bias, INDArray halfDActivated, INDArray dHidden, INDArray biasGradient) {
        ColumnSums sums = new ColumnSums(RowChunks.chunkCount(hidden.size(0), hidden.size(1)), (int) hidden.size(1));
        if (RowChunks.checkedType(hidden, halfDActivated, dHidden) == DataType.FLOAT) {
            backwardFloat(hidden, bias, halfDActivated, dHidden, sums);
        } else {
            backwardDouble(hidden, bias, halfDActivated, dHidden, sums);
        }
        sums.assignTotalTo(biasGradient);
    }

    private static void backwardFloat(INDArray hidden, INDArray bias, INDArray halfDActivated, INDArray dHidden, ColumnSums sums) {
        int columns = (int) hidden.size(1);
        float[] b = RowChunks.tiled(bias, columns, BIAS_TILE);
        FloatBuffer hiddenValues = RowChunks.floatBuffer(hidden);
        FloatBuffer halfDActivatedValues = RowChunks.floatBuffer(halfDActivated);
        FloatBuffer dHiddenValues = RowChunks.floatBuffer(dHidden);
        RowChunks.forEach(hidden.size(0), columns, chunk -> {
            int length = chunk.length();
            float[] h = chunk.read(hiddenValues, IN);
            float[] d = chunk.read(halfDActivatedValues, GRADIENT);
            for (int i = 0; i < length; i++) {   // written out, as in the forward pass
                float c = Math.max(-SLOPE_CLAMP, Math.min(SLOPE_CLAMP, h[i] + b[i]));
                float t = c * c;
                float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(SLOPE_P7, t, SLOPE_P6), t, SLOPE_P5), t,
                        SLOPE_P4), t, SLOPE_P3), t, SLOPE_P2), t, SLOPE_P1), t, SLOPE_P0);
                float q = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(SLOPE_Q7, t, SLOPE_Q6), t, SLOPE_Q5), t,
                        SLOPE_Q4), t, SLOPE_Q3), t, SLOPE_Q2), t, SLOPE_Q1), t, 1f);
                d[i] *= Math.fma(c, p / q, 1f);
            }
            chunk.write(d, dHiddenValues);
            sums.add(chunk.index(), d, chunk.rows());
        });
    }

    private static void backwardDouble(INDArray hidden, INDArray bias, INDArray halfDActivated, INDArray dHidden, ColumnSums sums) {
        int columns = (int) hidden.size(1);
        double[] b = bias.toDoubleVector();
        DoubleBuffer hiddenValues = RowChunks.doubleBuffer(hidden);
        DoubleBuffer halfDActivatedValues = RowChunks.doubleBuffer(halfDActivated);
        DoubleBuffer dHiddenValues = RowChunks.doubleBuffer(dHidden);
        RowChunks.forEach(hidden.size(0), columns, chunk -> {
            int length = chunk.length();
            double[] h = chunk.read(hiddenValues, IN);
            double[] d = chunk.read(halfDActivatedValues, GRADIENT);
            for (int i = 0; i < length; i++) {
                double biased = h[i] + b[i % columns];
                d[i] *= Erf.erfc(-biased * INV_SQRT_2) + SQRT_2_OVER_PI * biased * Math.exp(-0.5 * biased * biased);
            }
            sums.add(chunk.index(), d, chunk.rows());
            chunk.write(d, dHiddenValues);
        });
    }
}
