package org.convnext4j.model.kernels.java;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

import org.convnext4j.model.kernels.DropPath;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The end of a ConvNeXt block, out = x + s·γ·(m + b) per row, and its gradient, one pass over rows
 * each way (see {@link RowChunks}); see {@link org.convnext4j.model.kernels.Kernels#blockOutput}.
 *
 * <p>Why one pass: as DL4J vertices, the residual add and stochastic depth cost nine passes over
 * the block's output per training step (copies into and out of each vertex, the add, the
 * dropout's copy and multiply, the sum of the two gradients reaching x).
 */
final class BlockOutput {

    // Working-array slots.
    private static final int BRANCH = 0;
    private static final int RESIDUAL = 1;
    private static final int GRADIENT = 0;
    private static final int GAMMA_TERMS = 1;
    // Tile slots.
    private static final int BIAS_TILE = 0;
    private static final int GAMMA_TILE = 1;

    private BlockOutput() {
    }

    static void forward(INDArray x, INDArray m, INDArray bias, INDArray gamma, DropPath dropPath, INDArray out) {
        Factors factors = Factors.of(dropPath);
        if (RowChunks.checkedType(x, m, out) == DataType.FLOAT) {
            forwardFloat(x, m, bias, gamma, factors, out);
        } else {
            forwardDouble(x, m, bias, gamma, factors, out);
        }
    }

    private static void forwardFloat(INDArray x, INDArray m, INDArray bias, INDArray gamma, Factors factors, INDArray out) {
        int columns = (int) m.size(1);
        float[] b = RowChunks.tiled(bias, columns, BIAS_TILE);
        float[] g = gamma == null ? null : RowChunks.tiled(gamma, columns, GAMMA_TILE);
        FloatBuffer mValues = RowChunks.floatBuffer(m);
        FloatBuffer xValues = RowChunks.floatBuffer(x);
        FloatBuffer outValues = RowChunks.floatBuffer(out);
        RowChunks.forEach(m.size(0), columns, chunk -> {
            int length = chunk.length();
            float[] v = chunk.read(mValues, BRANCH);
            float[] r = chunk.read(xValues, RESIDUAL);
            if (g != null) {
                for (int i = 0; i < length; i++) {
                    v[i] = g[i] * (v[i] + b[i]);
                }
            } else {
                for (int i = 0; i < length; i++) {
                    v[i] += b[i];
                }
            }
            if (factors == null) {
                for (int i = 0; i < length; i++) {
                    v[i] += r[i];
                }
            } else {
                for (int row = 0, base = 0; row < chunk.rows(); row++, base += columns) {
                    float s = (float) factors.of(chunk.firstRow() + row);
                    for (int i = base; i < base + columns; i++) {
                        v[i] = r[i] + s * v[i];
                    }
                }
            }
            chunk.write(v, outValues);
        });
    }

    private static void forwardDouble(INDArray x, INDArray m, INDArray bias, INDArray gamma, Factors factors, INDArray out) {
        int columns = (int) m.size(1);
        double[] b = bias.toDoubleVector();
        double[] g = gamma == null ? null : gamma.toDoubleVector();
        DoubleBuffer mValues = RowChunks.doubleBuffer(m);
        DoubleBuffer xValues = RowChunks.doubleBuffer(x);
        DoubleBuffer outValues = RowChunks.doubleBuffer(out);
        RowChunks.forEach(m.size(0), columns, chunk -> {
            double[] v = chunk.read(mValues, BRANCH);
            double[] r = chunk.read(xValues, RESIDUAL);
            for (int row = 0, base = 0; row < chunk.rows(); row++, base += columns) {
                double s = factors == null ? 1 : factors.of(chunk.firstRow() + row);
                for (int c = 0; c < columns; c++) {
                    double branch = (g == null ? 1 : g[c]) * (v[base + c] + b[c]);
                    v[base + c] = r[base + c] + s * branch;
                }
            }
            chunk.write(v, outValues);
        });
    }

    static void backward(INDArray dOut, INDArray m, INDArray bias, INDArray gamma, DropPath dropPath, INDArray dM,
                         INDArray gammaGradient, INDArray biasGradient) {
        Factors factors = Factors.of(dropPath);
        int chunks = RowChunks.chunkCount(m.size(0), m.size(1));
        ColumnSums gammaSums = new ColumnSums(chunks, (int) m.size(1));
        ColumnSums biasSums = new ColumnSums(chunks, (int) m.size(1));
        if (RowChunks.checkedType(dOut, m, dM) == DataType.FLOAT) {
            backwardFloat(dOut, m, bias, gamma, factors, dM, gammaSums, biasSums);
        } else {
            backwardDouble(dOut, m, bias, gamma, factors, dM, gammaSums, biasSums);
        }
        if (gamma != null) {
            gammaSums.assignTotalTo(gammaGradient);
        }
        biasSums.assignTotalTo(biasGradient);
    }

    private static void backwardFloat(INDArray dOut, INDArray m, INDArray bias, INDArray gamma, Factors factors, INDArray dM,
                                      ColumnSums gammaSums, ColumnSums biasSums) {
        int columns = (int) m.size(1);
        float[] b = RowChunks.tiled(bias, columns, BIAS_TILE);
        float[] g = gamma == null ? null : RowChunks.tiled(gamma, columns, GAMMA_TILE);
        FloatBuffer dOutValues = RowChunks.floatBuffer(dOut);
        FloatBuffer mValues = RowChunks.floatBuffer(m);
        FloatBuffer dMValues = RowChunks.floatBuffer(dM);
        RowChunks.forEach(m.size(0), columns, chunk -> {
            int length = chunk.length();
            float[] d = chunk.read(dOutValues, GRADIENT);
            if (factors != null) {
                for (int row = 0, base = 0; row < chunk.rows(); row++, base += columns) {
                    float s = (float) factors.of(chunk.firstRow() + row);
                    for (int i = base; i < base + columns; i++) {
                        d[i] *= s;
                    }
                }
            }
            if (g != null) {
                float[] v = chunk.read(mValues, GAMMA_TERMS);
                for (int i = 0; i < length; i++) {
                    v[i] = d[i] * (v[i] + b[i]);
                    d[i] *= g[i];
                }
                gammaSums.add(chunk.index(), v, chunk.rows());
            }
            biasSums.add(chunk.index(), d, chunk.rows());
            chunk.write(d, dMValues);
        });
    }

    private static void backwardDouble(INDArray dOut, INDArray m, INDArray bias, INDArray gamma, Factors factors, INDArray dM,
                                       ColumnSums gammaSums, ColumnSums biasSums) {
        int columns = (int) m.size(1);
        double[] b = bias.toDoubleVector();
        double[] g = gamma == null ? null : gamma.toDoubleVector();
        DoubleBuffer dOutValues = RowChunks.doubleBuffer(dOut);
        DoubleBuffer mValues = RowChunks.doubleBuffer(m);
        DoubleBuffer dMValues = RowChunks.doubleBuffer(dM);
        RowChunks.forEach(m.size(0), columns, chunk -> {
            double[] d = chunk.read(dOutValues, GRADIENT);
            double[] v = chunk.read(mValues, GAMMA_TERMS);
            for (int row = 0, base = 0; row < chunk.rows(); row++, base += columns) {
                double s = factors == null ? 1 : factors.of(chunk.firstRow() + row);
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
            chunk.write(d, dMValues);
        });
    }

    /** A step's drop-path factors, read into Java once per call. */
    private record Factors(double[] perSample, long rowsPerSample) {

        static Factors of(DropPath dropPath) {
            return dropPath == null ? null : new Factors(dropPath.factors().toDoubleVector(), dropPath.rowsPerSample());
        }

        double of(long row) {
            return perSample[(int) (row / rowsPerSample)];
        }
    }
}
