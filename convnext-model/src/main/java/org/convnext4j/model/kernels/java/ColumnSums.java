package org.convnext4j.model.kernels.java;

import java.util.Arrays;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Column sums of a matrix that {@link RowChunks} walks chunk by chunk: each chunk stores its own
 * partial sums and the total adds them in chunk order, so it never depends on which thread
 * finished first.
 *
 * <p>The partial sums live in one array per instance, and the float working arrays are kept per
 * thread: allocated per chunk, they were a large share of what a training step allocated on the
 * Java heap.
 */
final class ColumnSums {

    /** This thread's working arrays: [0] the chunk's sums, [1] one row. */
    private static final ThreadLocal<float[][]> WORKING = ThreadLocal.withInitial(() -> new float[2][0]);

    /** Chunk i's sums in [i·columns, (i + 1)·columns). */
    private final double[] perChunk;
    private final int columns;

    ColumnSums(int chunks, int columns) {
        this.perChunk = new double[Math.multiplyExact(chunks, columns)];
        this.columns = columns;
    }

    /**
     * Stores the column sums of the first {@code rows} rows of a chunk's (rows, columns) values.
     * Each row is first copied to the start of an array of its own: HotSpot vectorises the adds
     * only when both arrays are indexed alike.
     */
    void add(int chunk, float[] values, int rows) {
        float[][] working = WORKING.get();
        if (working[0].length < columns) {
            working[0] = new float[columns];
            working[1] = new float[columns];
        }
        float[] sums = working[0];
        float[] row = working[1];
        Arrays.fill(sums, 0, columns, 0f);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(values, r * columns, row, 0, columns);
            for (int c = 0; c < columns; c++) {
                sums[c] += row[c];
            }
        }
        put(chunk, sums);
    }

    void add(int chunk, double[] values, int rows) {
        int base = chunk * columns;
        for (int row = 0, offset = 0; row < rows; row++, offset += columns) {
            for (int c = 0; c < columns; c++) {
                perChunk[base + c] += values[offset + c];
            }
        }
    }

    /** Stores a chunk's partial sums, summed by the caller: the first {@code columns} values of {@code sums}. */
    void put(int chunk, float[] sums) {
        int base = chunk * columns;
        for (int c = 0; c < columns; c++) {
            perChunk[base + c] = sums[c];
        }
    }

    void put(int chunk, double[] sums) {
        System.arraycopy(sums, 0, perChunk, chunk * columns, columns);
    }

    /** Writes the column totals into {@code target}, a vector of {@code columns} elements. */
    void assignTotalTo(INDArray target) {
        double[] total = new double[columns];
        for (int base = 0; base < perChunk.length; base += columns) {
            for (int c = 0; c < columns; c++) {
                total[c] += perChunk[base + c];
            }
        }
        target.assign(Nd4j.createFromArray(total).castTo(target.dataType()).reshape(target.shape()));
    }
}
