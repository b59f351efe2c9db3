package org.convnext4j.model.kernels.java;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * One chunk of rows of (rows, columns) c-order arrays, as {@link RowChunks#forEach} hands it to a
 * kernel: rows [firstRow, firstRow + rows), {@link #length()} elements from element firstRow·columns.
 */
record Chunk(int index, long firstRow, int rows, int columns) {

    int length() {
        return rows * columns;
    }

    /** This thread's float working array number {@code slot}, holding this chunk of {@code array}. */
    float[] read(FloatBuffer array, int slot) {
        float[] values = floats(slot);
        RowChunks.read(array, firstRow * columns, values, length());
        return values;
    }

    double[] read(DoubleBuffer array, int slot) {
        double[] values = doubles(slot);
        RowChunks.read(array, firstRow * columns, values, length());
        return values;
    }

    /** This thread's float working array number {@code slot}, long enough for the chunk, contents undefined. */
    float[] floats(int slot) {
        return RowChunks.floats(slot, length());
    }

    double[] doubles(int slot) {
        return RowChunks.doubles(slot, length());
    }

    /** Writes the chunk's elements of {@code values} into {@code array}. */
    void write(float[] values, FloatBuffer array) {
        RowChunks.write(values, length(), array, firstRow * columns);
    }

    void write(double[] values, DoubleBuffer array) {
        RowChunks.write(values, length(), array, firstRow * columns);
    }
}
