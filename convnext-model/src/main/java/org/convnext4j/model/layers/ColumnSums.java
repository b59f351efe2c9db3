package org.convnext4j.model.layers;

import org.convnext4j.model.kernels.RowChunks;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Column sums of a matrix that {@link RowChunks} walks chunk by chunk: each chunk stores its own
 * partial sums and the total adds them in chunk order, so it never depends on which thread
 * finished first.
 */
final class ColumnSums {

    private final double[][] perChunk;
    private final int columns;

    ColumnSums(int chunks, int columns) {
        this.perChunk = new double[chunks][];
        this.columns = columns;
    }

    /**
     * Stores the column sums of the first {@code rows} rows of a chunk's (rows, columns) values.
     * Each row is first copied to the start of an array of its own: HotSpot vectorises the adds
     * only when both arrays are indexed alike.
     */
    void add(int chunk, float[] values, int rows) {
        float[] sums = new float[columns];
        float[] row = new float[columns];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(values, r * columns, row, 0, columns);
            for (int c = 0; c < columns; c++) {
                sums[c] += row[c];
            }
        }
        put(chunk, sums);
    }

    void add(int chunk, double[] values, int rows) {
        double[] sums = new double[columns];
        for (int row = 0, base = 0; row < rows; row++, base += columns) {
            for (int c = 0; c < columns; c++) {
                sums[c] += values[base + c];
            }
        }
        put(chunk, sums);
    }

    /** Stores a chunk's partial sums, summed by the caller. */
    void put(int chunk, float[] sums) {
        double[] copy = new double[columns];
        for (int c = 0; c < columns; c++) {
            copy[c] = sums[c];
        }
        perChunk[chunk] = copy;
    }

    void put(int chunk, double[] sums) {
        perChunk[chunk] = sums.clone();
    }

    /** Writes the column totals into {@code target}, a vector of {@code columns} elements. */
    void assignTotalTo(INDArray target) {
        double[] total = new double[columns];
        for (double[] sums : perChunk) {
            for (int c = 0; c < columns; c++) {
                total[c] += sums[c];
            }
        }
        target.assign(Nd4j.createFromArray(total).castTo(target.dataType()).reshape(target.shape()));
    }
}
