package org.convnext4j.model.layers;

import org.apache.commons.math3.special.Erf;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The MLP's bias add and exact GELU, GELU(h) = ½·h·(1 + erf(h/√2)), and its gradient, as fused
 * passes over rows (see {@link RowChunks}).
 *
 * <p>Only twice the activation, h·(1 + erf(h/√2)), is written: the block folds the ½ into fc2's
 * matmul, where it is exact. Float arrays use erf and exp approximations written as plain
 * arithmetic so that HotSpot vectorises them (Abramowitz and Stegun 7.1.26 for erf, |error| ≤
 * 1.5e-7, the formula PyTorch's vectorised CPU erf uses; exp by a Taylor series on a small argument
 * then repeated squaring); double arrays, which the gradient checks use, take exact library values.
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
    /** erfc(4) ≈ 1.5e-8, below float resolution next to 1, so larger arguments are clamped. */
    private static final float ERF_CLAMP = 4f;
    /** exp(−y) is taken as exp(−y/2⁷) squared seven times. */
    private static final int SQUARINGS = 7;
    private static final float EXP_SCALE = -1f / (1 << SQUARINGS);
    /** exp(−50) ≈ 2e-22: past this, h·exp(−h²/2) is zero in float. */
    private static final float EXP_CLAMP = 50f;

    private Gelu() {
    }

    /**
     * hidden += bias (per column); {@code twiceActivated} = hidden·(1 + erf(hidden/√2)). When
     * {@code erfPlusOne} is given (training), it receives 1 + erf(hidden/√2) and {@code hidden}
     * keeps the biased value for {@link #backward}; otherwise (inference) {@code twiceActivated} may
     * be {@code hidden} itself.
     */
    static void forward(INDArray hidden, INDArray bias, INDArray erfPlusOne, INDArray twiceActivated) {
        boolean keep = erfPlusOne != null;
        DataType type = keep ? RowChunks.checkedType(hidden, erfPlusOne, twiceActivated)
                : RowChunks.checkedType(hidden, twiceActivated);
        long rows = hidden.size(0);
        int columns = (int) hidden.size(1);
        if (type == DataType.FLOAT) {
            float[] b = bias.toFloatVector();
            RowChunks.forEach(rows, columns, (chunk, firstRow, rowCount) -> {
                int length = rowCount * columns;
                long first = firstRow * columns;
                float[] h = RowChunks.floats(0, length);
                float[] e = RowChunks.floats(1, length);
                float[] work = RowChunks.floats(2, length);
                RowChunks.read(hidden, first, h, length);
                addBias(h, b, rowCount, columns);
                erfPlusOne(h, e, work, length);
                if (keep) {
                    RowChunks.write(h, length, hidden, first);
                    RowChunks.write(e, length, erfPlusOne, first);
                }
                for (int i = 0; i < length; i++) {
                    e[i] *= h[i];
                }
                RowChunks.write(e, length, twiceActivated, first);
            });
        } else {
            double[] b = bias.toDoubleVector();
            RowChunks.forEach(rows, columns, (chunk, firstRow, rowCount) -> {
                int length = rowCount * columns;
                long first = firstRow * columns;
                double[] h = RowChunks.doubles(0, length);
                double[] e = RowChunks.doubles(1, length);
                RowChunks.read(hidden, first, h, length);
                for (int i = 0; i < length; i++) {
                    h[i] += b[i % columns];
                    e[i] = Erf.erfc(-h[i] * INV_SQRT_2);
                }
                if (keep) {
                    RowChunks.write(h, length, hidden, first);
                    RowChunks.write(e, length, erfPlusOne, first);
                }
                for (int i = 0; i < length; i++) {
                    e[i] *= h[i];
                }
                RowChunks.write(e, length, twiceActivated, first);
            });
        }
    }

    /**
     * From the kept {@code hidden} and {@code erfPlusOne} and ½·dL/d(activation):
     * {@code dHidden} = ½·dL/da · (1 + erf(h/√2) + h·√(2/π)·exp(−h²/2)), as GELU'(h) = Φ(h) + h·φ(h).
     */
    static void backward(INDArray hidden, INDArray erfPlusOne, INDArray halfDActivated, INDArray dHidden) {
        DataType type = RowChunks.checkedType(hidden, erfPlusOne, halfDActivated, dHidden);
        long rows = hidden.size(0);
        int columns = (int) hidden.size(1);
        if (type == DataType.FLOAT) {
            RowChunks.forEach(rows, columns, (chunk, firstRow, rowCount) -> {
                int length = rowCount * columns;
                long first = firstRow * columns;
                float[] h = RowChunks.floats(0, length);
                float[] e = RowChunks.floats(1, length);
                float[] d = RowChunks.floats(2, length);
                float[] g = RowChunks.floats(3, length);
                RowChunks.read(hidden, first, h, length);
                RowChunks.read(erfPlusOne, first, e, length);
                RowChunks.read(halfDActivated, first, d, length);
                for (int i = 0; i < length; i++) {
                    g[i] = Math.min(0.5f * h[i] * h[i], EXP_CLAMP);
                }
                negativeExp(g, length);
                for (int i = 0; i < length; i++) {
                    d[i] *= e[i] + SQRT_2_OVER_PI_F * h[i] * g[i];
                }
                RowChunks.write(d, length, dHidden, first);
            });
        } else {
            RowChunks.forEach(rows, columns, (chunk, firstRow, rowCount) -> {
                int length = rowCount * columns;
                long first = firstRow * columns;
                double[] h = RowChunks.doubles(0, length);
                double[] e = RowChunks.doubles(1, length);
                double[] d = RowChunks.doubles(2, length);
                RowChunks.read(hidden, first, h, length);
                RowChunks.read(erfPlusOne, first, e, length);
                RowChunks.read(halfDActivated, first, d, length);
                for (int i = 0; i < length; i++) {
                    d[i] *= e[i] + SQRT_2_OVER_PI * h[i] * Math.exp(-0.5 * h[i] * h[i]);
                }
                RowChunks.write(d, length, dHidden, first);
            });
        }
    }

    private static void addBias(float[] h, float[] bias, int rows, int columns) {
        for (int row = 0, base = 0; row < rows; row++, base += columns) {
            for (int c = 0; c < columns; c++) {
                h[base + c] += bias[c];
            }
        }
    }

    /**
     * e = 1 + erf(h/√2) = 1 + s·(1 − erfc(a)) with a = |h/√2| and s its sign. Several short loops
     * rather than one: HotSpot vectorises only loops small enough to unroll.
     */
    private static void erfPlusOne(float[] h, float[] e, float[] work, int length) {
        for (int i = 0; i < length; i++) {
            float a = Math.min(Math.abs(h[i] * INV_SQRT_2_F), ERF_CLAMP);
            float t = 1f / (1f + AS_P * a);
            e[i] = t * (AS_A1 + t * (AS_A2 + t * (AS_A3 + t * (AS_A4 + t * AS_A5))));
            work[i] = a * a;
        }
        negativeExp(work, length);
        for (int i = 0; i < length; i++) {
            float x = h[i];
            float sign = x / Math.max(Math.abs(x), Float.MIN_NORMAL);   // ±1, or 0 at 0 where erf is 0
            e[i] = 1f + sign * (1f - e[i] * work[i]);
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
            u *= 2f + u;   // written out seven times (SQUARINGS): HotSpot vectorises no inner loop
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
