package org.convnext4j.model.kernels.java;

import org.apache.commons.math3.special.Erf;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The MLP's bias add and exact GELU, GELU(h) = ½·h·(1 + erf(h/√2)), and its gradient, as fused
 * passes over rows (see {@link RowChunks}); see {@link org.convnext4j.model.kernels.Kernels#gelu}.
 *
 * <p>Only twice the activation, h·(1 + erf(h/√2)), is written: the block folds the ½ into fc2's
 * matmul, where it is exact. The backward pass recomputes erf and exp from the pre-activation rather
 * than keeping them: a wide array fewer per block, as in PyTorch, which keeps only input and output.
 *
 * <p>Float arrays use approximations written as plain arithmetic, so that HotSpot vectorises them:
 * the forward pass a rational erf (no exp; see {@link #erfRational}), the backward pass, which needs
 * exp(−h²/2) for the density anyway, Abramowitz and Stegun 7.1.26 for erf (|error| ≤ 1.5e-7, the
 * formula PyTorch's vectorised CPU erf uses) and exp by a Taylor series on a small argument then
 * repeated squaring. Double arrays, which the gradient checks use, take exact library values.
 */
final class Gelu {

    private static final double INV_SQRT_2 = 1.0 / Math.sqrt(2.0);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final float INV_SQRT_2_F = (float) INV_SQRT_2;
    private static final float SQRT_2_OVER_PI_F = (float) SQRT_2_OVER_PI;

    // Abramowitz and Stegun 7.1.26: erfc(a) ≈ t·(a1 + t·(a2 + t·(a3 + t·(a4 + t·a5))))·exp(−a²), t = 1/(1 + p·a).
    private static final float AS_P = 0.3275911f;
    private static final float AS_A1 = 0.254829592f;
    private static final float AS_A2 = -0.284496736f;
    private static final float AS_A3 = 1.421413741f;
    private static final float AS_A4 = -1.453152027f;
    private static final float AS_A5 = 1.061405429f;
    // erf(x) ≈ x·P(x²)/Q(x²) on [−3.92, 3.92]; see erfRational.
    private static final float ERF_CLAMP = 3.92f;
    private static final float ERF_P0 = 1.1283787771989515f;
    private static final float ERF_P1 = 0.20615156347584926f;
    private static final float ERF_P2 = 0.051402277137394044f;
    private static final float ERF_P3 = 0.0039744633887572834f;
    private static final float ERF_P4 = 1.4902234828567085e-04f;
    private static final float ERF_P5 = -1.9943703203605614e-06f;
    private static final float ERF_P6 = 1.9919353629734342e-08f;
    private static final float ERF_Q1 = 0.5160258269588862f;
    private static final float ERF_Q2 = 0.11758003937987242f;
    private static final float ERF_Q3 = 0.0148924243485095f;
    private static final float ERF_Q4 = 0.00102449799802851f;
    /** exp(−y) is taken as exp(−y/2⁷) squared seven times. */
    private static final float EXP_SCALE = -1f / (1 << 7);
    /** exp(−50) ≈ 2e-22: past this, h·exp(−h²/2) and erfc(|h|/√2) are zero next to float's resolution. */
    private static final float EXP_CLAMP = 50f;

    // Working-array slots.
    private static final int IN = 0;
    private static final int ERF_PLUS_ONE = 1;
    private static final int GAUSSIAN = 2;
    private static final int GRADIENT = 3;
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
        RowChunks.forEach(hidden.size(0), columns, chunk -> {
            int length = chunk.length();
            float[] h = chunk.read(hidden, IN);
            for (int i = 0; i < length; i++) {
                float x = h[i] + b[i];
                h[i] = x * (1f + erfRational(x * INV_SQRT_2_F));
            }
            chunk.write(h, twiceActivated);
        });
    }

    private static void forwardDouble(INDArray hidden, INDArray bias, INDArray twiceActivated) {
        int columns = (int) hidden.size(1);
        double[] b = bias.toDoubleVector();
        RowChunks.forEach(hidden.size(0), columns, chunk -> {
            int length = chunk.length();
            double[] h = chunk.readDoubles(hidden, IN);
            for (int i = 0; i < length; i++) {
                double biased = h[i] + b[i % columns];
                h[i] = biased * Erf.erfc(-biased * INV_SQRT_2);
            }
            chunk.write(h, twiceActivated);
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
        RowChunks.forEach(hidden.size(0), columns, chunk -> {
            int length = chunk.length();
            float[] h = chunk.read(hidden, IN);
            float[] e = chunk.floats(ERF_PLUS_ONE);
            float[] g = chunk.floats(GAUSSIAN);
            float[] d = chunk.read(halfDActivated, GRADIENT);
            biasedWithErfAndExp(h, b, e, g, length);
            for (int i = 0; i < length; i++) {
                d[i] *= e[i] + SQRT_2_OVER_PI_F * h[i] * g[i];
            }
            chunk.write(d, dHidden);
            sums.add(chunk.index(), d, chunk.rows());
        });
    }

    private static void backwardDouble(INDArray hidden, INDArray bias, INDArray halfDActivated, INDArray dHidden, ColumnSums sums) {
        int columns = (int) hidden.size(1);
        double[] b = bias.toDoubleVector();
        RowChunks.forEach(hidden.size(0), columns, chunk -> {
            int length = chunk.length();
            double[] h = chunk.readDoubles(hidden, IN);
            double[] d = chunk.readDoubles(halfDActivated, GRADIENT);
            for (int i = 0; i < length; i++) {
                double biased = h[i] + b[i % columns];
                d[i] *= Erf.erfc(-biased * INV_SQRT_2) + SQRT_2_OVER_PI * biased * Math.exp(-0.5 * biased * biased);
            }
            sums.add(chunk.index(), d, chunk.rows());
            chunk.write(d, dHidden);
        });
    }

    /**
     * erf(x) ≈ x·P(x²)/Q(x²) for |x| ≤ 3.92, ±1 beyond (erf(3.92) = 1 − 3e-8): |error| ≤ 4.3e-8 in
     * exact arithmetic, 3.4e-7 evaluated in float. The coefficients are a weighted least-squares
     * fit of our own (docs/erf_rational_fit.py). No exp: the forward pass's erf costs about half of
     * Abramowitz–Stegun's with its exp (0.53 against 1.13 ns per element on one core).
     */
    private static float erfRational(float x) {
        float c = Math.max(-ERF_CLAMP, Math.min(ERF_CLAMP, x));
        float t = c * c;
        float p = ((((((ERF_P6 * t + ERF_P5) * t + ERF_P4) * t + ERF_P3) * t + ERF_P2) * t + ERF_P1) * t + ERF_P0);
        float q = ((((ERF_Q4 * t + ERF_Q3) * t + ERF_Q2) * t + ERF_Q1) * t + 1f);
        return c * p / q;
    }

    /**
     * h += bias (tiled); g = exp(−h²/2), which is both φ(h)·√(2π) and the exp(−a²) of erfc(a) at
     * a = |h|/√2; e = 1 + erf(h/√2).
     */
    private static void biasedWithErfAndExp(float[] h, float[] tiledBias, float[] e, float[] g, int length) {
        for (int i = 0; i < length; i++) {
            h[i] += tiledBias[i];
        }
        for (int i = 0; i < length; i++) {
            g[i] = Math.min(0.5f * h[i] * h[i], EXP_CLAMP);
        }
        negativeExp(g, length);
        erfPlusOne(h, g, e, length);
    }

    /**
     * e = 1 + erf(h/√2) = 1 + s·(1 − erfc(a)) with a = |h|/√2, s the sign of h, and g = exp(−a²).
     * Short loops rather than one: HotSpot vectorises only loops small enough to unroll.
     */
    private static void erfPlusOne(float[] h, float[] g, float[] e, int length) {
        for (int i = 0; i < length; i++) {
            float t = 1f / (1f + AS_P * Math.abs(h[i] * INV_SQRT_2_F));
            e[i] = t * (AS_A1 + t * (AS_A2 + t * (AS_A3 + t * (AS_A4 + t * AS_A5))));
        }
        for (int i = 0; i < length; i++) {
            float x = h[i];
            float sign = x / Math.max(Math.abs(x), Float.MIN_NORMAL);   // ±1, or 0 at 0 where erf is 0
            e[i] = 1f + sign * (1f - e[i] * g[i]);
        }
    }

    /**
     * y ← exp(−y) for 0 ≤ y ≤ 64: u = exp(−y/2⁷) − 1 by its Taylor series, then squared up as
     * (1 + u)² = 1 + u·(2 + u), which keeps u's relative precision where plain squaring of a number
     * near 1 would multiply its rounding error by 2⁷.
     */
    private static void negativeExp(float[] y, int length) {
        for (int i = 0; i < length; i++) {
            float z = y[i] * EXP_SCALE;
            y[i] = z * (1f + z * (1f / 2 + z * (1f / 6 + z * (1f / 24 + z * (1f / 120 + z * (1f / 720
                    + z * (1f / 5040 + z * (1f / 40320 + z * (1f / 362880)))))))));
        }
        for (int i = 0; i < length; i++) {
            float u = y[i];
            u *= 2f + u;   // written out seven times: HotSpot vectorises no inner loop
            u *= 2f + u;
            u *= 2f + u;
            u *= 2f + u;
            u *= 2f + u;
            u *= 2f + u;
            u *= 2f + u;
            y[i] = 1f + u;
        }
    }
}
