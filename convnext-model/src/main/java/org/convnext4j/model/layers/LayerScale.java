package org.convnext4j.model.layers;

import org.convnext4j.model.kernels.RowChunks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The end of a block's residual branch, out = γ·(m + b) per column with m fc2's output before its
 * bias, and its gradient, each as one pass over rows (see {@link RowChunks}).
 */
final class LayerScale {

    private LayerScale() {
    }

    /** {@code out} = γ·(m + bias); {@code m} is left as it is so the backward pass can read it. */
    static void forward(INDArray m, INDArray bias, INDArray gamma, INDArray out) {
        DataType type = RowChunks.checkedType(m, out);
        long rows = m.size(0);
        int columns = (int) m.size(1);
        if (type == DataType.FLOAT) {
            float[] b = RowChunks.tiled(bias, columns, 0);
            float[] g = RowChunks.tiled(gamma, columns, 1);
            RowChunks.forEach(rows, columns, (chunk, firstRow, rowCount) -> {
                int length = rowCount * columns;
                long first = firstRow * columns;
                float[] v = RowChunks.floats(0, length);
                RowChunks.read(m, first, v, length);
                for (int i = 0; i < length; i++) {
                    v[i] = g[i] * (v[i] + b[i]);
                }
                RowChunks.write(v, length, out, first);
            });
        } else {
            double[] b = bias.toDoubleVector();
            double[] g = gamma.toDoubleVector();
            RowChunks.forEach(rows, columns, (chunk, firstRow, rowCount) -> {
                int length = rowCount * columns;
                long first = firstRow * columns;
                double[] v = RowChunks.doubles(0, length);
                RowChunks.read(m, first, v, length);
                for (int i = 0; i < length; i++) {
                    v[i] = g[i % columns] * (v[i] + b[i % columns]);
                }
                RowChunks.write(v, length, out, first);
            });
        }
    }

    /**
     * From dL/d(out): {@code dM} = γ·dL/dout, and the column sums Σ dL/dout·(m + b) into
     * {@code gammaGradient} and Σ dM into {@code biasGradient}.
     */
    static void backward(INDArray dOut, INDArray m, INDArray bias, INDArray gamma, INDArray dM,
                         INDArray gammaGradient, INDArray biasGradient) {
        DataType type = RowChunks.checkedType(dOut, m, dM);
        long rows = m.size(0);
        int columns = (int) m.size(1);
        int chunks = RowChunks.chunkCount(rows, columns);
        ColumnSums gammaSums = new ColumnSums(chunks, columns);
        ColumnSums biasSums = new ColumnSums(chunks, columns);
        if (type == DataType.FLOAT) {
            float[] b = RowChunks.tiled(bias, columns, 0);
            float[] g = RowChunks.tiled(gamma, columns, 1);
            RowChunks.forEach(rows, columns, (chunk, firstRow, rowCount) -> {
                int length = rowCount * columns;
                long first = firstRow * columns;
                float[] d = RowChunks.floats(0, length);
                float[] v = RowChunks.floats(1, length);
                RowChunks.read(dOut, first, d, length);
                RowChunks.read(m, first, v, length);
                for (int i = 0; i < length; i++) {
                    v[i] = d[i] * (v[i] + b[i]);
                    d[i] *= g[i];
                }
                gammaSums.add(chunk, v, rowCount);
                biasSums.add(chunk, d, rowCount);
                RowChunks.write(d, length, dM, first);
            });
        } else {
            double[] b = bias.toDoubleVector();
            double[] g = gamma.toDoubleVector();
            RowChunks.forEach(rows, columns, (chunk, firstRow, rowCount) -> {
                int length = rowCount * columns;
                long first = firstRow * columns;
                double[] d = RowChunks.doubles(0, length);
                double[] v = RowChunks.doubles(1, length);
                RowChunks.read(dOut, first, d, length);
                RowChunks.read(m, first, v, length);
                for (int i = 0; i < length; i++) {
                    v[i] = d[i] * (v[i] + b[i % columns]);
                    d[i] *= g[i % columns];
                }
                gammaSums.add(chunk, v, rowCount);
                biasSums.add(chunk, d, rowCount);
                RowChunks.write(d, length, dM, first);
            });
        }
        gammaSums.assignTotalTo(gammaGradient);
        biasSums.assignTotalTo(biasGradient);
    }
}
