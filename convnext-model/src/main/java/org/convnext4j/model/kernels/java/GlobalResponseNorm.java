package org.convnext4j.model.kernels.java;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

import org.convnext4j.model.kernels.Kernels;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ConvNeXt V2's global response normalisation and its gradient (see {@link Kernels#grn}), each direction
 * two fused passes over the rows (see {@link RowChunks}): one gathers every sample's per-column sums, the
 * other writes each element from its sample's per-column factors. The per-sample arithmetic between them
 * (norms, their mean, the factors) is on (samples, columns) values, in double.
 *
 * <p>Why fused: as ND4J ops, GRN is a reduction, a division, broadcasts and adds, each a pass over the
 * block's widest activation; backward twice that.
 */
final class GlobalResponseNorm {

    // Working-array slots.
    private static final int VALUES_A = 0;
    private static final int VALUES_B = 1;
    private static final int ROW_A = 2;
    private static final int ROW_B = 3;
    private static final int FACTORS_A = 4;
    private static final int FACTORS_B = 5;
    private static final int PRODUCTS = 4;
    private static final int SUMS = 5;

    private GlobalResponseNorm() {
    }

    static void forward(INDArray x, long rowsPerSample, INDArray gamma, INDArray beta, double scale, INDArray out, INDArray norms) {
        RowChunks.checkedType(x, out);
        int columns = (int) x.size(1);
        int samples = (int) (x.size(0) / rowsPerSample);
        double[] g = perSampleSums(x, null, rowsPerSample, samples)[0];
        for (int i = 0; i < g.length; i++) {
            g[i] = Math.sqrt(g[i]);
        }
        if (norms != null) {
            norms.assign(Nd4j.createFromArray(g).reshape(samples, columns).castTo(norms.dataType()));
        }
        double[] gammas = gamma.toDoubleVector();
        double[] factors = new double[g.length];
        for (int n = 0; n < samples; n++) {
            double denominator = mean(g, n, columns) + scale * Kernels.GRN_EPS;
            for (int c = 0, i = n * columns; c < columns; c++, i++) {
                factors[i] = 1 + gammas[c] * g[i] / denominator;
            }
        }
        double[] shift = beta.toDoubleVector();
        for (int c = 0; c < columns; c++) {
            shift[c] *= scale;
        }
        apply(x, factors, null, null, shift, rowsPerSample, out);
    }

    static void backward(INDArray dOut, INDArray x, long rowsPerSample, INDArray gamma, double scale, INDArray norms, INDArray dx,
                         INDArray gammaGradient, INDArray betaGradient) {
        RowChunks.checkedType(dOut, x, dx);
        int columns = (int) x.size(1);
        int samples = (int) (x.size(0) / rowsPerSample);
        double[][] sums = perSampleSums(dOut, x, rowsPerSample, samples);
        double[] products = sums[0];    // Σ dOut·x
        double[] dOutSums = sums[1];    // Σ dOut
        double[] g = norms.castTo(DataType.DOUBLE).dup('c').reshape(norms.length()).toDoubleVector();
        double[] gammas = gamma.toDoubleVector();
        double[] dFactors = new double[g.length];
        double[] xFactors = new double[g.length];
        double[] dGamma = new double[columns];
        double[] dBeta = new double[columns];
        for (int n = 0; n < samples; n++) {
            int base = n * columns;
            double denominator = mean(g, n, columns) + scale * Kernels.GRN_EPS;
            double shared = 0;   // Σ S·G / (C·denominator²)
            for (int c = 0; c < columns; c++) {
                shared += gammas[c] * products[base + c] * g[base + c];
            }
            shared /= columns * denominator * denominator;
            for (int c = 0, i = base; c < columns; c++, i++) {
                double normalised = g[i] / denominator;
                dGamma[c] += products[i] * normalised;
                dBeta[c] += scale * dOutSums[i];
                dFactors[i] = 1 + gammas[c] * normalised;
                // A column with norm 0 is all zeros: its x term is 0.
                xFactors[i] = g[i] == 0 ? 0 : (gammas[c] * products[i] / denominator - shared) / g[i];
            }
        }
        gammaGradient.assign(Nd4j.createFromArray(dGamma).castTo(gammaGradient.dataType()).reshape(gammaGradient.shape()));
        betaGradient.assign(Nd4j.createFromArray(dBeta).castTo(betaGradient.dataType()).reshape(betaGradient.shape()));
        apply(dOut, dFactors, x, xFactors, new double[columns], rowsPerSample, dx);
    }

    private static double mean(double[] values, int sample, int columns) {
        double sum = 0;
        for (int c = 0, i = sample * columns; c < columns; c++, i++) {
            sum += values[i];
        }
        return sum / columns;
    }

    /**
     * Per sample and column: Σ a·b (Σ a² when {@code b} is null) and, with {@code b}, Σ a, as
     * (samples · columns) arrays. Each chunk sums its rows in float (double for double arrays) per sample,
     * the chunks' sums are added in chunk order, so the result never depends on thread timing.
     */
    private static double[][] perSampleSums(INDArray a, INDArray b, long rowsPerSample, int samples) {
        int columns = (int) a.size(1);
        long rows = a.size(0);
        int chunks = RowChunks.chunkCount(rows, columns);
        double[][] partials = new double[chunks][];
        int[] firstSamples = new int[chunks];
        boolean isFloat = a.dataType() == DataType.FLOAT;
        FloatBuffer aFloats = isFloat ? RowChunks.floatBuffer(a) : null;
        FloatBuffer bFloats = isFloat && b != null ? RowChunks.floatBuffer(b) : null;
        DoubleBuffer aDoubles = isFloat ? null : RowChunks.doubleBuffer(a);
        DoubleBuffer bDoubles = !isFloat && b != null ? RowChunks.doubleBuffer(b) : null;
        RowChunks.forEach(rows, columns, chunk -> {
            int firstSample = (int) (chunk.firstRow() / rowsPerSample);
            int lastSample = (int) ((chunk.firstRow() + chunk.rows() - 1) / rowsPerSample);
            double[] partial = new double[(lastSample - firstSample + 1) * columns * (b == null ? 1 : 2)];
            if (isFloat) {
                sumChunkFloat(chunk, aFloats, bFloats, rowsPerSample, firstSample, partial);
            } else {
                sumChunkDouble(chunk, aDoubles, bDoubles, rowsPerSample, firstSample, partial);
            }
            partials[chunk.index()] = partial;
            firstSamples[chunk.index()] = firstSample;
        });
        double[] products = new double[samples * columns];
        double[] sums = b == null ? null : new double[samples * columns];
        for (int i = 0; i < chunks; i++) {
            int length = partials[i].length / (b == null ? 1 : 2);
            int offset = firstSamples[i] * columns;
            for (int j = 0; j < length; j++) {
                products[offset + j] += partials[i][j];
                if (sums != null) {
                    sums[offset + j] += partials[i][length + j];
                }
            }
        }
        return new double[][] {products, sums};
    }

    private static void sumChunkFloat(Chunk chunk, FloatBuffer a, FloatBuffer b, long rowsPerSample, int firstSample, double[] partial) {
        int columns = chunk.columns();
        int half = partial.length / (b == null ? 1 : 2);
        float[] va = chunk.read(a, VALUES_A);
        float[] vb = b == null ? va : chunk.read(b, VALUES_B);
        float[] rowA = RowChunks.floats(ROW_A, columns);
        float[] rowB = RowChunks.floats(ROW_B, columns);
        float[] products = RowChunks.floats(PRODUCTS, columns);
        float[] sums = RowChunks.floats(SUMS, columns);
        int sample = firstSample;
        Arrays.fill(products, 0, columns, 0f);
        Arrays.fill(sums, 0, columns, 0f);
        for (int r = 0; r < chunk.rows(); r++) {
            int rowSample = (int) ((chunk.firstRow() + r) / rowsPerSample);
            if (rowSample != sample) {
                flush(products, sums, b != null, (sample - firstSample) * columns, half, columns, partial);
                sample = rowSample;
            }
            System.arraycopy(va, r * columns, rowA, 0, columns);
            System.arraycopy(vb, r * columns, rowB, 0, columns);
            for (int c = 0; c < columns; c++) {
                products[c] += rowA[c] * rowB[c];
            }
            if (b != null) {
                for (int c = 0; c < columns; c++) {
                    sums[c] += rowA[c];
                }
            }
        }
        flush(products, sums, b != null, (sample - firstSample) * columns, half, columns, partial);
    }

    private static void flush(float[] products, float[] sums, boolean withSums, int at, int half, int columns, double[] partial) {
        for (int c = 0; c < columns; c++) {
            partial[at + c] += products[c];
            if (withSums) {
                partial[half + at + c] += sums[c];
            }
        }
        Arrays.fill(products, 0, columns, 0f);
        Arrays.fill(sums, 0, columns, 0f);
    }

    private static void sumChunkDouble(Chunk chunk, DoubleBuffer a, DoubleBuffer b, long rowsPerSample, int firstSample, double[] partial) {
        int columns = chunk.columns();
        int half = partial.length / (b == null ? 1 : 2);
        double[] va = chunk.read(a, VALUES_A);
        double[] vb = b == null ? va : chunk.read(b, VALUES_B);
        for (int r = 0; r < chunk.rows(); r++) {
            int at = (int) ((chunk.firstRow() + r) / rowsPerSample - firstSample) * columns;
            for (int c = 0, i = r * columns; c < columns; c++, i++) {
                partial[at + c] += va[i] * vb[i];
                if (b != null) {
                    partial[half + at + c] += va[i];
                }
            }
        }
    }

    /** out = a·fa + b·fb + shift, with fa and fb per sample and column (b may be null) and shift per column. */
    private static void apply(INDArray a, double[] fa, INDArray b, double[] fb, double[] shift, long rowsPerSample, INDArray out) {
        int columns = (int) a.size(1);
        if (a.dataType() == DataType.FLOAT) {
            float[] factorsA = toFloats(fa);
            float[] factorsB = fb == null ? null : toFloats(fb);
            float[] shifts = toFloats(shift);
            FloatBuffer aValues = RowChunks.floatBuffer(a);
            FloatBuffer bValues = b == null ? null : RowChunks.floatBuffer(b);
            FloatBuffer outValues = RowChunks.floatBuffer(out);
            RowChunks.forEach(a.size(0), columns, chunk -> applyFloat(chunk, aValues, factorsA, bValues, factorsB, shifts, rowsPerSample,
                    outValues));
        } else {
            DoubleBuffer aValues = RowChunks.doubleBuffer(a);
            DoubleBuffer bValues = b == null ? null : RowChunks.doubleBuffer(b);
            DoubleBuffer outValues = RowChunks.doubleBuffer(out);
            RowChunks.forEach(a.size(0), columns, chunk -> applyDouble(chunk, aValues, fa, bValues, fb, shift, rowsPerSample,
                    outValues));
        }
    }

    private static void applyFloat(Chunk chunk, FloatBuffer a, float[] fa, FloatBuffer b, float[] fb, float[] shift, long rowsPerSample,
                                   FloatBuffer out) {
        int columns = chunk.columns();
        float[] va = chunk.read(a, VALUES_A);
        float[] vb = b == null ? null : chunk.read(b, VALUES_B);
        float[] rowA = RowChunks.floats(ROW_A, columns);
        float[] rowB = RowChunks.floats(ROW_B, columns);
        float[] factorsA = RowChunks.floats(FACTORS_A, columns);
        float[] factorsB = RowChunks.floats(FACTORS_B, columns);
        int sample = -1;
        for (int r = 0; r < chunk.rows(); r++) {
            int rowSample = (int) ((chunk.firstRow() + r) / rowsPerSample);
            if (rowSample != sample) {
                sample = rowSample;
                System.arraycopy(fa, sample * columns, factorsA, 0, columns);
                if (fb != null) {
                    System.arraycopy(fb, sample * columns, factorsB, 0, columns);
                }
            }
            System.arraycopy(va, r * columns, rowA, 0, columns);
            for (int c = 0; c < columns; c++) {
                rowA[c] = rowA[c] * factorsA[c] + shift[c];
            }
            if (vb != null) {
                System.arraycopy(vb, r * columns, rowB, 0, columns);
                for (int c = 0; c < columns; c++) {
                    rowA[c] += rowB[c] * factorsB[c];
                }
            }
            System.arraycopy(rowA, 0, va, r * columns, columns);
        }
        chunk.write(va, out);
    }

    private static void applyDouble(Chunk chunk, DoubleBuffer a, double[] fa, DoubleBuffer b, double[] fb, double[] shift,
                                    long rowsPerSample, DoubleBuffer out) {
        int columns = chunk.columns();
        double[] va = chunk.read(a, VALUES_A);
        double[] vb = b == null ? null : chunk.read(b, VALUES_B);
        for (int r = 0; r < chunk.rows(); r++) {
            int f = (int) ((chunk.firstRow() + r) / rowsPerSample) * columns;
            for (int c = 0, i = r * columns; c < columns; c++, i++) {
                va[i] = va[i] * fa[f + c] + shift[c] + (vb == null ? 0 : vb[i] * fb[f + c]);
            }
        }
        chunk.write(va, out);
    }

    private static float[] toFloats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }
}
