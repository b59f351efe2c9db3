package org.convnext4j.model.layers;

import org.convnext4j.model.kernels.RowChunks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The end of a ConvNeXt block, out = x + s·γ·(m + b) per row, with m fc2's output before its bias,
 * γ the layer scale (or 1 without one), s the row's drop-path factor (or 1) and x the block's
 * input; and its gradient. One pass over rows each way (see {@link RowChunks}).
 *
 * <p>Why one pass: as DL4J vertices, the residual add and stochastic depth cost nine passes over
 * the block's output per training step (copies into and out of each vertex, the add, the
 * dropout's copy and multiply, the sum of the two gradients reaching x).
 */
final class BlockOutput {

    private BlockOutput() {
    }

    /** {@code out} = x + s·γ·(m + bias); {@code m} is left as it is so the backward pass can read it. */
    static void forward(INDArray x, INDArray m, INDArray bias, INDArray gamma, DropPath dropPath, INDArray out) {
        DataType type = RowChunks.checkedType(x, m, out);
        long rows = m.size(0);
        int columns = (int) m.size(1);
        if (type == DataType.FLOAT) {
            float[] b = RowChunks.tiled(bias, columns, 0);
            float[] g = gamma == null ? null : RowChunks.tiled(gamma, columns, 1);
            RowChunks.forEach(rows, columns, chunk -> {
                int length = chunk.length();
                float[] v = chunk.read(m, 0);
                float[] r = chunk.read(x, 1);
                if (g != null) {
                    for (int i = 0; i < length; i++) {
                        v[i] = g[i] * (v[i] + b[i]);
                    }
                } else {
                    for (int i = 0; i < length; i++) {
                        v[i] += b[i];
                    }
                }
                if (dropPath == null) {
                    for (int i = 0; i < length; i++) {
                        v[i] += r[i];
                    }
                } else {
                    for (int row = 0, base = 0; row < chunk.rows(); row++, base += columns) {
                        float s = (float) dropPath.factor(chunk.firstRow() + row);
                        for (int i = base; i < base + columns; i++) {
                            v[i] = r[i] + s * v[i];
                        }
                    }
                }
                chunk.write(v, out);
            });
        } else {
            double[] b = bias.toDoubleVector();
            double[] g = gamma == null ? null : gamma.toDoubleVector();
            RowChunks.forEach(rows, columns, chunk -> {
                double[] v = chunk.readDoubles(m, 0);
                double[] r = chunk.readDoubles(x, 1);
                for (int row = 0, base = 0; row < chunk.rows(); row++, base += columns) {
                    double s = dropPath == null ? 1 : dropPath.factor(chunk.firstRow() + row);
                    for (int c = 0; c < columns; c++) {
                        double branch = (g == null ? 1 : g[c]) * (v[base + c] + b[c]);
                        v[base + c] = r[base + c] + s * branch;
                    }
                }
                chunk.write(v, out);
            });
        }
    }

    /**
     * From dL/d(out): {@code dM} = s·γ·dL/dout (dL/dx's residual share, dL/dout itself, is the
     * caller's), and the column sums Σ s·dL/dout·(m + b) into {@code gammaGradient} (when there is a
     * γ) and Σ dM into {@code biasGradient}.
     */
    static void backward(INDArray dOut, INDArray m, INDArray bias, INDArray gamma, DropPath dropPath, INDArray dM,
                         INDArray gammaGradient, INDArray biasGradient) {
        DataType type = RowChunks.checkedType(dOut, m, dM);
        long rows = m.size(0);
        int columns = (int) m.size(1);
        int chunks = RowChunks.chunkCount(rows, columns);
        ColumnSums gammaSums = new ColumnSums(chunks, columns);
        ColumnSums biasSums = new ColumnSums(chunks, columns);
        if (type == DataType.FLOAT) {
            float[] b = RowChunks.tiled(bias, columns, 0);
            float[] g = gamma == null ? null : RowChunks.tiled(gamma, columns, 1);
            RowChunks.forEach(rows, columns, chunk -> {
                int length = chunk.length();
                float[] d = chunk.read(dOut, 0);
                if (dropPath != null) {
                    for (int row = 0, base = 0; row < chunk.rows(); row++, base += columns) {
                        float s = (float) dropPath.factor(chunk.firstRow() + row);
                        for (int i = base; i < base + columns; i++) {
                            d[i] *= s;
                        }
                    }
                }
                if (g != null) {
                    float[] v = chunk.read(m, 1);
                    for (int i = 0; i < length; i++) {
                        v[i] = d[i] * (v[i] + b[i]);
                        d[i] *= g[i];
                    }
                    gammaSums.add(chunk.index(), v, chunk.rows());
                }
                biasSums.add(chunk.index(), d, chunk.rows());
                chunk.write(d, dM);
            });
        } else {
            double[] b = bias.toDoubleVector();
            double[] g = gamma == null ? null : gamma.toDoubleVector();
            RowChunks.forEach(rows, columns, chunk -> {
                double[] d = chunk.readDoubles(dOut, 0);
                double[] v = chunk.readDoubles(m, 1);
                for (int row = 0, base = 0; row < chunk.rows(); row++, base += columns) {
                    double s = dropPath == null ? 1 : dropPath.factor(chunk.firstRow() + row);
                    for (int c = 0; c < columns; c++) {
                        double dBranch = s * d[base + c];
                        v[base + c] = dBranch * (v[base + c] + b[c]);
                        d[base + c] = dBranch * (g == null ? 1 : g[c]);
                    }
                }
                if (g != null) {
                    gammaSums.add(chunk.index(), v, chunk.rows());
                }
                biasSums.add(chunk.index(), d, chunk.rows());
                chunk.write(d, dM);
            });
        }
        if (gamma != null) {
            gammaSums.assignTotalTo(gammaGradient);
        }
        biasSums.assignTotalTo(biasGradient);
    }
}
