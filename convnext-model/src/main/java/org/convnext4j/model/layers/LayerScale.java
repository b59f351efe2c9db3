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
            RowChunks.forEach(rows, columns, chunk -> {
                int length = chunk.length();
                float[] v = chunk.read(m, 0);
                for (int i = 0; i < length; i++) {
                    v[i] = g[i] * (v[i] + b[i]);
                }
                chunk.write(v, out);
            });
        } else {
            double[] b = bias.toDoubleVector();
            double[] g = gamma.toDoubleVector();
            RowChunks.forEach(rows, columns, chunk -> {
                int length = chunk.length();
                double[] v = chunk.readDoubles(m, 0);
                for (int i = 0; i < length; i++) {
                    v[i] = g[i % columns] * (v[i] + b[i % columns]);
                }
                chunk.write(v, out);
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
            RowChunks.forEach(rows, columns, chunk -> {
                int length = chunk.length();
                float[] d = chunk.read(dOut, 0);
                float[] v = chunk.read(m, 1);
                for (int i = 0; i < length; i++) {
                    v[i] = d[i] * (v[i] + b[i]);
                    d[i] *= g[i];
                }
                gammaSums.add(chunk.index(), v, chunk.rows());
                biasSums.add(chunk.index(), d, chunk.rows());
                chunk.write(d, dM);
            });
        } else {
            double[] b = bias.toDoubleVector();
            double[] g = gamma.toDoubleVector();
            RowChunks.forEach(rows, columns, chunk -> {
                int length = chunk.length();
                double[] d = chunk.readDoubles(dOut, 0);
                double[] v = chunk.readDoubles(m, 1);
                for (int i = 0; i < length; i++) {
                    v[i] = d[i] * (v[i] + b[i % columns]);
                    d[i] *= g[i % columns];
                }
                gammaSums.add(chunk.index(), v, chunk.rows());
                biasSums.add(chunk.index(), d, chunk.rows());
                chunk.write(d, dM);
            });
        }
        gammaSums.assignTotalTo(gammaGradient);
        biasSums.assignTotalTo(biasGradient);
    }
}
