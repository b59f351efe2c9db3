package org.convnext4j.model.layers;

import org.convnext4j.model.kernels.RowChunks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LayerNorm (eps 1e-6) over the channels of a (positions, channels) matrix, one fused pass over
 * rows per direction (see {@link RowChunks}), keeping the normalised input x̂ and 1/σ from a
 * training forward pass for the backward pass.
 */
final class RowLayerNorm {

    private INDArray normalized;
    private INDArray reciprocalStd;

    /** out = x̂·weight + bias, x̂ = (x − mean) / √(var + eps) per row; x̂ and 1/σ are kept when training. */
    void forward(INDArray x, INDArray weight, INDArray bias, INDArray out, boolean training) {
        forward(x, null, weight, bias, out, training);
    }

    /**
     * As {@link #forward(INDArray, INDArray, INDArray, INDArray, boolean)}, of x + inputBias (added
     * to every row, unless null): the bias of the product before, added while the row is in cache.
     */
    void forward(INDArray x, INDArray inputBias, INDArray weight, INDArray bias, INDArray out, boolean training) {
        long rows = x.size(0);
        int channels = (int) x.size(1);
        DataType type = RowChunks.checkedType(x, out);
        if (training) {
            normalized = WorkingArrays.owned(normalized, type, rows, channels);
            reciprocalStd = WorkingArrays.owned(reciprocalStd, type, rows);
        }
        if (type == DataType.FLOAT) {
            float[] w = RowChunks.tiled(weight, channels, 0);
            float[] b = RowChunks.tiled(bias, channels, 1);
            float[] inputB = inputBias == null ? null : RowChunks.tiled(inputBias, channels, 2);
            RowChunks.forEach(rows, channels, chunk -> {
                int length = chunk.length();
                float[] v = chunk.read(x, 0);
                if (inputB != null) {
                    for (int i = 0; i < length; i++) {
                        v[i] += inputB[i];
                    }
                }
                float[] o = chunk.floats(1);
                float[] rstd = RowChunks.floats(2, chunk.rows());
                for (int row = 0, base = 0; row < chunk.rows(); row++, base += channels) {
                    float mean = sum(v, base, channels) / channels;
                    float r = (float) (1.0 / Math.sqrt(centredSquares(v, base, channels, mean) / channels
                            + ConvNeXtOps.LAYER_NORM_EPS));
                    rstd[row] = r;
                    for (int c = 0; c < channels; c++) {
                        v[base + c] = (v[base + c] - mean) * r;
                    }
                }
                for (int i = 0; i < length; i++) {
                    o[i] = v[i] * w[i] + b[i];
                }
                chunk.write(o, out);
                if (training) {
                    chunk.write(v, normalized);
                    RowChunks.write(rstd, chunk.rows(), reciprocalStd, chunk.firstRow());
                }
            });
        } else {
            double[] w = weight.toDoubleVector();
            double[] b = bias.toDoubleVector();
            double[] inputB = inputBias == null ? null : inputBias.toDoubleVector();
            RowChunks.forEach(rows, channels, chunk -> {
                int length = chunk.length();
                double[] v = chunk.readDoubles(x, 0);
                if (inputB != null) {
                    for (int i = 0; i < length; i++) {
                        v[i] += inputB[i % channels];
                    }
                }
                double[] o = chunk.doubles(1);
                double[] rstd = RowChunks.doubles(2, chunk.rows());
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
                    double r = 1.0 / Math.sqrt(squares / channels + ConvNeXtOps.LAYER_NORM_EPS);
                    rstd[row] = r;
                    for (int c = 0; c < channels; c++) {
                        v[base + c] = (v[base + c] - mean) * r;
                        o[base + c] = v[base + c] * w[c] + b[c];
                    }
                }
                chunk.write(o, out);
                if (training) {
                    chunk.write(v, normalized);
                    RowChunks.write(rstd, chunk.rows(), reciprocalStd, chunk.firstRow());
                }
            });
        }
    }

    /**
     * With dy = dL/dout and g the weight: dL/dx = (g·dy − mean(g·dy) − x̂·mean(g·dy·x̂)) / σ, the
     * means over channels. Writes dL/dx into {@code dx} and the weight and bias gradients into theirs.
     */
    void backward(INDArray dy, INDArray weight, INDArray weightGradient, INDArray biasGradient, INDArray dx) {
        backward(dy, weight, weightGradient, biasGradient, dx, null);
    }

    /**
     * As {@link #backward(INDArray, INDArray, INDArray, INDArray, INDArray)}, and also writes the
     * column sums of dL/dx into {@code dxColumnSums}: the bias gradient of the layer before, summed
     * while dL/dx is still in cache.
     */
    void backward(INDArray dy, INDArray weight, INDArray weightGradient, INDArray biasGradient, INDArray dx,
                  INDArray dxColumnSums) {
        long rows = dy.size(0);
        int channels = (int) dy.size(1);
        DataType type = RowChunks.checkedType(dy, normalized, dx);
        int chunks = RowChunks.chunkCount(rows, channels);
        ColumnSums weightSums = new ColumnSums(chunks, channels);
        ColumnSums biasSums = new ColumnSums(chunks, channels);
        ColumnSums dxSums = new ColumnSums(chunks, channels);
        if (type == DataType.FLOAT) {
            float[] g = RowChunks.tiled(weight, channels, 0);
            RowChunks.forEach(rows, channels, chunk -> {
                int length = chunk.length();
                float[] d = chunk.read(dy, 0);
                float[] v = chunk.read(normalized, 1);
                float[] rstd = RowChunks.floats(2, chunk.rows());
                float[] gdy = chunk.floats(3);
                float[] dyV = chunk.floats(4);
                float[] gdyV = chunk.floats(5);
                RowChunks.read(reciprocalStd, chunk.firstRow(), rstd, chunk.rows());
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
                chunk.write(d, dx);
                if (dxColumnSums != null) {
                    dxSums.add(chunk.index(), d, chunk.rows());
                }
            });
        } else {
            double[] g = weight.toDoubleVector();
            RowChunks.forEach(rows, channels, chunk -> {
                int length = chunk.length();
                double[] d = chunk.readDoubles(dy, 0);
                double[] v = chunk.readDoubles(normalized, 1);
                double[] rstd = RowChunks.doubles(2, chunk.rows());
                double[] columnDyV = new double[channels];
                double[] columnDy = new double[channels];
                RowChunks.read(reciprocalStd, chunk.firstRow(), rstd, chunk.rows());
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
                chunk.write(d, dx);
                if (dxColumnSums != null) {
                    dxSums.add(chunk.index(), d, chunk.rows());
                }
                weightSums.put(chunk.index(), columnDyV);
                biasSums.put(chunk.index(), columnDy);
            });
        }
        weightSums.assignTotalTo(weightGradient);
        if (dxColumnSums != null) {
            dxSums.assignTotalTo(dxColumnSums);
        }
        biasSums.assignTotalTo(biasGradient);
    }

    /** Σ v[base … base + length), in four interleaved partial sums: one serial chain would wait on each add. */
    private static float sum(float[] v, int base, int length) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = base;
        int end = base + length;
        for (; i + 3 < end; i += 4) {
            s0 += v[i];
            s1 += v[i + 1];
            s2 += v[i + 2];
            s3 += v[i + 3];
        }
        for (; i < end; i++) {
            s0 += v[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Σ (v − mean)² over v[base … base + length), as {@link #sum}. */
    private static float centredSquares(float[] v, int base, int length, float mean) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = base;
        int end = base + length;
        for (; i + 3 < end; i += 4) {
            float d0 = v[i] - mean;
            float d1 = v[i + 1] - mean;
            float d2 = v[i + 2] - mean;
            float d3 = v[i + 3] - mean;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < end; i++) {
            float d = v[i] - mean;
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }
}
