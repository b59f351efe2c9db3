package org.convnext4j.model.kernels.java;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

import org.convnext4j.model.kernels.Kernels;
import org.convnext4j.model.kernels.LayerNormSaved;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LayerNorm (eps 1e-6) over the channels of a (positions, channels) matrix, one fused pass over
 * rows per direction (see {@link RowChunks}); see {@link Kernels#layerNorm} and
 * {@link Kernels#layerNormBackward} for what each direction computes.
 */
final class RowLayerNorm {

    // Working-array slots of the forward pass.
    private static final int IN = 0;
    private static final int OUT = 1;
    private static final int STATS = 2;
    // Working-array slots of the backward pass, beside IN (dy), NORMALIZED and STATS (1/σ).
    private static final int NORMALIZED = 1;
    private static final int G_DY = 3;
    private static final int DY_X = 4;
    private static final int G_DY_X = 5;
    // Tile slots.
    private static final int WEIGHT_TILE = 0;
    private static final int BIAS_TILE = 1;
    private static final int INPUT_BIAS_TILE = 2;

    private RowLayerNorm() {
    }

    static void forward(INDArray x, INDArray inputBias, INDArray weight, INDArray bias, INDArray out, LayerNormSaved saved) {
        INDArray normalized = saved == null ? null : saved.normalized();
        INDArray reciprocalStd = saved == null ? null : saved.reciprocalStd();
        if (saved == null ? RowChunks.checkedType(x, out) == DataType.FLOAT : RowChunks.checkedType(x, out, normalized) == DataType.FLOAT) {
            forwardFloat(x, inputBias, weight, bias, out, normalized, reciprocalStd);
        } else {
            forwardDouble(x, inputBias, weight, bias, out, normalized, reciprocalStd);
        }
    }

    private static void forwardFloat(INDArray x, INDArray inputBias, INDArray weight, INDArray bias, INDArray out,
                                     INDArray normalized, INDArray reciprocalStd) {
        long rows = x.size(0);
        int channels = (int) x.size(1);
        float[] w = RowChunks.tiled(weight, channels, WEIGHT_TILE);
        float[] b = RowChunks.tiled(bias, channels, BIAS_TILE);
        float[] inputB = inputBias == null ? null : RowChunks.tiled(inputBias, channels, INPUT_BIAS_TILE);
        FloatBuffer xs = RowChunks.floatBuffer(x);
        FloatBuffer outs = RowChunks.floatBuffer(out);
        FloatBuffer normalizedValues = normalized == null ? null : RowChunks.floatBuffer(normalized);
        FloatBuffer reciprocalStds = normalized == null ? null : RowChunks.floatBuffer(reciprocalStd);
        RowChunks.forEach(rows, channels, chunk -> {
            int length = chunk.length();
            float[] v = chunk.read(xs, IN);
            if (inputB != null) {
                for (int i = 0; i < length; i++) {
                    v[i] += inputB[i];
                }
            }
            float[] o = chunk.floats(OUT);
            float[] rstd = RowChunks.floats(STATS, chunk.rows());
            for (int row = 0, base = 0; row < chunk.rows(); row++, base += channels) {
                float mean = sum(v, base, channels) / channels;
                float r = (float) (1.0 / Math.sqrt(centredSquares(v, base, channels, mean) / channels + Kernels.LAYER_NORM_EPS));
                rstd[row] = r;
                for (int c = 0; c < channels; c++) {
                    v[base + c] = (v[base + c] - mean) * r;
                }
            }
            for (int i = 0; i < length; i++) {
                o[i] = v[i] * w[i] + b[i];
            }
            chunk.write(o, outs);
            if (normalizedValues != null) {
                chunk.write(v, normalizedValues);
                RowChunks.write(rstd, chunk.rows(), reciprocalStds, chunk.firstRow());
            }
        });
    }

    private static void forwardDouble(INDArray x, INDArray inputBias, INDArray weight, INDArray bias, INDArray out,
                                      INDArray normalized, INDArray reciprocalStd) {
        long rows = x.size(0);
        int channels = (int) x.size(1);
        double[] w = weight.toDoubleVector();
        double[] b = bias.toDoubleVector();
        double[] inputB = inputBias == null ? null : inputBias.toDoubleVector();
        DoubleBuffer xs = RowChunks.doubleBuffer(x);
        DoubleBuffer outs = RowChunks.doubleBuffer(out);
        DoubleBuffer normalizedValues = normalized == null ? null : RowChunks.doubleBuffer(normalized);
        DoubleBuffer reciprocalStds = normalized == null ? null : RowChunks.doubleBuffer(reciprocalStd);
        RowChunks.forEach(rows, channels, chunk -> {
            int length = chunk.length();
            double[] v = chunk.read(xs, IN);
            if (inputB != null) {
                for (int i = 0; i < length; i++) {
                    v[i] += inputB[i % channels];
                }
            }
            double[] o = chunk.doubles(OUT);
            double[] rstd = RowChunks.doubles(STATS, chunk.rows());
            for (int row = 0, base = 0; row < chunk.rows(); row++, base += channels) {
                double sum = 0;
                for (int c = 0; c < channels; c++) {
                    sum += v[base + c];
                }
                double mean = sum / channels;
                double squares = 0;
                for (int c = 0; c < channels; c++) {
                    double centred = v[base + c] - mean;
                    squares += centred * centred;
                }
                double r = 1.0 / Math.sqrt(squares / channels + Kernels.LAYER_NORM_EPS);
                rstd[row] = r;
                for (int c = 0; c < channels; c++) {
                    v[base + c] = (v[base + c] - mean) * r;
                    o[base + c] = v[base + c] * w[c] + b[c];
                }
            }
            chunk.write(o, outs);
            if (normalizedValues != null) {
                chunk.write(v, normalizedValues);
                RowChunks.write(rstd, chunk.rows(), reciprocalStds, chunk.firstRow());
            }
        });
    }

    static void backward(INDArray dy, LayerNormSaved saved, INDArray weight, INDArray weightGradient, INDArray biasGradient,
                         INDArray dx, INDArray dxColumnSums) {
        long rows = dy.size(0);
        int channels = (int) dy.size(1);
        int chunks = RowChunks.chunkCount(rows, channels);
        ColumnSums weightSums = new ColumnSums(chunks, channels);
        ColumnSums biasSums = new ColumnSums(chunks, channels);
        ColumnSums dxSums = dxColumnSums == null ? null : new ColumnSums(chunks, channels);
        if (RowChunks.checkedType(dy, saved.normalized(), dx) == DataType.FLOAT) {
            backwardFloat(dy, saved, weight, dx, weightSums, biasSums, dxSums);
        } else {
            backwardDouble(dy, saved, weight, dx, weightSums, biasSums, dxSums);
        }
        weightSums.assignTotalTo(weightGradient);
        biasSums.assignTotalTo(biasGradient);
        if (dxSums != null) {
            dxSums.assignTotalTo(dxColumnSums);
        }
    }

    private static void backwardFloat(INDArray dy, LayerNormSaved saved, INDArray weight, INDArray dx,
                                      ColumnSums weightSums, ColumnSums biasSums, ColumnSums dxSums) {
        long rows = dy.size(0);
        int channels = (int) dy.size(1);
        float[] g = RowChunks.tiled(weight, channels, WEIGHT_TILE);
        FloatBuffer dys = RowChunks.floatBuffer(dy);
        FloatBuffer normalizedValues = RowChunks.floatBuffer(saved.normalized());
        FloatBuffer reciprocalStds = RowChunks.floatBuffer(saved.reciprocalStd());
        FloatBuffer dxs = RowChunks.floatBuffer(dx);
        RowChunks.forEach(rows, channels, chunk -> {
            int length = chunk.length();
            float[] d = chunk.read(dys, IN);
            float[] v = chunk.read(normalizedValues, NORMALIZED);
            float[] rstd = RowChunks.floats(STATS, chunk.rows());
            float[] gdy = chunk.floats(G_DY);
            float[] dyV = chunk.floats(DY_X);
            float[] gdyV = chunk.floats(G_DY_X);
            RowChunks.read(reciprocalStds, chunk.firstRow(), rstd, chunk.rows());
            for (int i = 0; i < length; i++) {
                gdy[i] = g[i] * d[i];
                dyV[i] = d[i] * v[i];
                gdyV[i] = gdy[i] * v[i];
            }
            weightSums.add(chunk.index(), dyV, chunk.rows());
            biasSums.add(chunk.index(), d, chunk.rows());
            for (int row = 0, base = 0; row < chunk.rows(); row++, base += channels) {
                float meanGdy = sum(gdy, base, channels) / channels;
                float meanGdyV = sum(gdyV, base, channels) / channels;
                float r = rstd[row];
                for (int c = 0; c < channels; c++) {
                    d[base + c] = (gdy[base + c] - meanGdy - v[base + c] * meanGdyV) * r;
                }
            }
            chunk.write(d, dxs);
            if (dxSums != null) {
                dxSums.add(chunk.index(), d, chunk.rows());
            }
        });
    }

    private static void backwardDouble(INDArray dy, LayerNormSaved saved, INDArray weight, INDArray dx,
                                       ColumnSums weightSums, ColumnSums biasSums, ColumnSums dxSums) {
        long rows = dy.size(0);
        int channels = (int) dy.size(1);
        double[] g = weight.toDoubleVector();
        DoubleBuffer dys = RowChunks.doubleBuffer(dy);
        DoubleBuffer normalizedValues = RowChunks.doubleBuffer(saved.normalized());
        DoubleBuffer reciprocalStds = RowChunks.doubleBuffer(saved.reciprocalStd());
        DoubleBuffer dxs = RowChunks.doubleBuffer(dx);
        RowChunks.forEach(rows, channels, chunk -> {
            double[] d = chunk.read(dys, IN);
            double[] v = chunk.read(normalizedValues, NORMALIZED);
            double[] rstd = RowChunks.doubles(STATS, chunk.rows());
            double[] columnDyV = new double[channels];
            double[] columnDy = new double[channels];
            RowChunks.read(reciprocalStds, chunk.firstRow(), rstd, chunk.rows());
            for (int row = 0, base = 0; row < chunk.rows(); row++, base += channels) {
                double sumGdy = 0;
                double sumGdyV = 0;
                for (int c = 0; c < channels; c++) {
                    double gdy = g[c] * d[base + c];
                    sumGdy += gdy;
                    sumGdyV += gdy * v[base + c];
                    columnDyV[c] += d[base + c] * v[base + c];
                    columnDy[c] += d[base + c];
                }
                double meanGdy = sumGdy / channels;
                double meanGdyV = sumGdyV / channels;
                for (int c = 0; c < channels; c++) {
                    d[base + c] = (g[c] * d[base + c] - meanGdy - v[base + c] * meanGdyV) * rstd[row];
                }
            }
            chunk.write(d, dxs);
            if (dxSums != null) {
                dxSums.add(chunk.index(), d, chunk.rows());
            }
            weightSums.put(chunk.index(), columnDyV);
            biasSums.put(chunk.index(), columnDy);
        });
    }

    /**
     * Σ v[base … base + length) in eight partial sums: HotSpot does not vectorise a float sum (its order
     * would change), and eight independent chains of adds keep both of a core's adders busy where four
     * waited on each other's latency (docs/performance-journal.md).
     */
    private static float sum(float[] v, int base, int length) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        float s4 = 0;
        float s5 = 0;
        float s6 = 0;
        float s7 = 0;
        int i = base;
        int end = base + length;
        for (; i + 7 < end; i += 8) {
            s0 += v[i];
            s1 += v[i + 1];
            s2 += v[i + 2];
            s3 += v[i + 3];
            s4 += v[i + 4];
            s5 += v[i + 5];
            s6 += v[i + 6];
            s7 += v[i + 7];
        }
        for (; i < end; i++) {
            s0 += v[i];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** Σ (v − mean)² over v[base … base + length), as {@link #sum}. */
    private static float centredSquares(float[] v, int base, int length, float mean) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        float s4 = 0;
        float s5 = 0;
        float s6 = 0;
        float s7 = 0;
        int i = base;
        int end = base + length;
        for (; i + 7 < end; i += 8) {
            float d0 = v[i] - mean;
            float d1 = v[i + 1] - mean;
            float d2 = v[i + 2] - mean;
            float d3 = v[i + 3] - mean;
            float d4 = v[i + 4] - mean;
            float d5 = v[i + 5] - mean;
            float d6 = v[i + 6] - mean;
            float d7 = v[i + 7] - mean;
            s0 = Math.fma(d0, d0, s0);
            s1 = Math.fma(d1, d1, s1);
            s2 = Math.fma(d2, d2, s2);
            s3 = Math.fma(d3, d3, s3);
            s4 = Math.fma(d4, d4, s4);
            s5 = Math.fma(d5, d5, s5);
            s6 = Math.fma(d6, d6, s6);
            s7 = Math.fma(d7, d7, s7);
        }
        for (; i < end; i++) {
            float d = v[i] - mean;
            s0 = Math.fma(d, d, s0);
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }
}
