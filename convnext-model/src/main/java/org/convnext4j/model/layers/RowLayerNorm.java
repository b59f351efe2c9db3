package org.convnext4j.model.layers;

import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LayerNorm (eps 1e-6) over the channels of a (positions, channels) matrix, one fused pass over
 * rows per direction (see {@link RowChunks}), keeping the normalised input x̂ and 1/σ from a
 * training forward pass for the backward pass. Row statistics are summed in double precision.
 */
final class RowLayerNorm {

    private INDArray normalized;
    private INDArray reciprocalStd;

    /** out = x̂·weight + bias, x̂ = (x − mean) / √(var + eps) per row; x̂ and 1/σ are kept when training. */
    void forward(INDArray x, INDArray weight, INDArray bias, INDArray out, boolean training) {
        long rows = x.size(0);
        int channels = (int) x.size(1);
        DataType type = RowChunks.checkedType(x, out);
        if (training) {
            normalized = WorkingArrays.owned(normalized, type, rows, channels);
            reciprocalStd = WorkingArrays.owned(reciprocalStd, type, rows);
        }
        if (type == DataType.FLOAT) {
            float[] w = weight.toFloatVector();
            float[] b = bias.toFloatVector();
            RowChunks.forEach(rows, channels, (chunk, firstRow, rowCount) -> {
                int length = rowCount * channels;
                long first = firstRow * channels;
                float[] v = RowChunks.floats(0, length);
                float[] o = RowChunks.floats(1, length);
                float[] rstd = RowChunks.floats(2, rowCount);
                RowChunks.read(x, first, v, length);
                for (int row = 0, base = 0; row < rowCount; row++, base += channels) {
                    double sum = 0;
                    for (int c = 0; c < channels; c++) {
                        sum += v[base + c];
                    }
                    float mean = (float) (sum / channels);
                    double squares = 0;
                    for (int c = 0; c < channels; c++) {
                        float centred = v[base + c] - mean;
                        squares += centred * centred;
                    }
                    float r = (float) (1.0 / Math.sqrt(squares / channels + ConvNeXtOps.LAYER_NORM_EPS));
                    rstd[row] = r;
                    for (int c = 0; c < channels; c++) {
                        v[base + c] = (v[base + c] - mean) * r;
                    }
                    for (int c = 0; c < channels; c++) {
                        o[base + c] = v[base + c] * w[c] + b[c];
                    }
                }
                RowChunks.write(o, length, out, first);
                if (training) {
                    RowChunks.write(v, length, normalized, first);
                    RowChunks.write(rstd, rowCount, reciprocalStd, firstRow);
                }
            });
        } else {
            double[] w = weight.toDoubleVector();
            double[] b = bias.toDoubleVector();
            RowChunks.forEach(rows, channels, (chunk, firstRow, rowCount) -> {
                int length = rowCount * channels;
                long first = firstRow * channels;
                double[] v = RowChunks.doubles(0, length);
                double[] o = RowChunks.doubles(1, length);
                double[] rstd = RowChunks.doubles(2, rowCount);
                RowChunks.read(x, first, v, length);
                for (int row = 0, base = 0; row < rowCount; row++, base += channels) {
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
                RowChunks.write(o, length, out, first);
                if (training) {
                    RowChunks.write(v, length, normalized, first);
                    RowChunks.write(rstd, rowCount, reciprocalStd, firstRow);
                }
            });
        }
    }

    /**
     * With dy = dL/dout and g the weight: dL/dx = (g·dy − mean(g·dy) − x̂·mean(g·dy·x̂)) / σ, the
     * means over channels. Writes dL/dx into {@code dx} and the weight and bias gradients into theirs.
     */
    void backward(INDArray dy, INDArray weight, INDArray weightGradient, INDArray biasGradient, INDArray dx) {
        long rows = dy.size(0);
        int channels = (int) dy.size(1);
        DataType type = RowChunks.checkedType(dy, normalized, dx);
        int chunks = RowChunks.chunkCount(rows, channels);
        ColumnSums weightSums = new ColumnSums(chunks, channels);
        ColumnSums biasSums = new ColumnSums(chunks, channels);
        if (type == DataType.FLOAT) {
            float[] g = weight.toFloatVector();
            RowChunks.forEach(rows, channels, (chunk, firstRow, rowCount) -> {
                int length = rowCount * channels;
                long first = firstRow * channels;
                float[] d = RowChunks.floats(0, length);
                float[] v = RowChunks.floats(1, length);
                float[] rstd = RowChunks.floats(2, rowCount);
                float[] columnDyV = RowChunks.floats(3, channels);
                float[] columnDy = RowChunks.floats(4, channels);
                RowChunks.read(dy, first, d, length);
                RowChunks.read(normalized, first, v, length);
                RowChunks.read(reciprocalStd, firstRow, rstd, rowCount);
                Arrays.fill(columnDyV, 0, channels, 0f);
                Arrays.fill(columnDy, 0, channels, 0f);
                for (int row = 0, base = 0; row < rowCount; row++, base += channels) {
                    double sumGdy = 0;
                    double sumGdyV = 0;
                    for (int c = 0; c < channels; c++) {
                        float gdy = g[c] * d[base + c];
                        sumGdy += gdy;
                        sumGdyV += gdy * v[base + c];
                    }
                    for (int c = 0; c < channels; c++) {
                        columnDyV[c] += d[base + c] * v[base + c];
                        columnDy[c] += d[base + c];
                    }
                    float meanGdy = (float) (sumGdy / channels);
                    float meanGdyV = (float) (sumGdyV / channels);
                    float r = rstd[row];
                    for (int c = 0; c < channels; c++) {
                        d[base + c] = (g[c] * d[base + c] - meanGdy - v[base + c] * meanGdyV) * r;
                    }
                }
                RowChunks.write(d, length, dx, first);
                weightSums.put(chunk, columnDyV);
                biasSums.put(chunk, columnDy);
            });
        } else {
            double[] g = weight.toDoubleVector();
            RowChunks.forEach(rows, channels, (chunk, firstRow, rowCount) -> {
                int length = rowCount * channels;
                long first = firstRow * channels;
                double[] d = RowChunks.doubles(0, length);
                double[] v = RowChunks.doubles(1, length);
                double[] rstd = RowChunks.doubles(2, rowCount);
                double[] columnDyV = new double[channels];
                double[] columnDy = new double[channels];
                RowChunks.read(dy, first, d, length);
                RowChunks.read(normalized, first, v, length);
                RowChunks.read(reciprocalStd, firstRow, rstd, rowCount);
                for (int row = 0, base = 0; row < rowCount; row++, base += channels) {
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
                RowChunks.write(d, length, dx, first);
                weightSums.put(chunk, columnDyV);
                biasSums.put(chunk, columnDy);
            });
        }
        weightSums.assignTotalTo(weightGradient);
        biasSums.assignTotalTo(biasGradient);
    }
}
