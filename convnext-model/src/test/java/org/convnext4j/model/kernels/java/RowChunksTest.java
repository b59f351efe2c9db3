package org.convnext4j.model.kernels.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class RowChunksTest {

    @Test
    void readsAndWritesTheElementsOfAViewThatStartsInsideItsBuffer() {
        INDArray whole = Nd4j.arange(40).castTo(DataType.FLOAT).reshape(10, 4);
        INDArray rows = whole.get(NDArrayIndex.interval(3, 6), NDArrayIndex.all());   // elements 12..23
        RowChunks.checkedType(rows);
        float[] read = new float[5];
        RowChunks.read(RowChunks.floatBuffer(rows), 2, read, 5);
        assertArrayEquals(new float[] {14, 15, 16, 17, 18}, read);

        RowChunks.write(new float[] {-1, -2}, 2, RowChunks.floatBuffer(rows), 10);
        assertEquals(-1f, whole.getFloat(5, 2));
        assertEquals(-2f, whole.getFloat(5, 3));
        assertEquals(24f, whole.getFloat(6, 0), "nothing past the view is written");
        assertEquals(21f, whole.getFloat(5, 1));

        INDArray reshaped = rows.reshape(2, 6);
        RowChunks.read(RowChunks.floatBuffer(reshaped), 6, read, 1);
        assertEquals(18f, read[0]);
    }

    @Test
    void tilesAPerColumnVectorThatIsAViewIntoALargerBuffer() {
        // Parameters are views of one flattened array, as DL4J keeps them.
        INDArray flat = Nd4j.arange(20).castTo(DataType.FLOAT);
        INDArray vector = flat.get(NDArrayIndex.interval(7, 10));   // 7, 8, 9
        float[] tile = RowChunks.tiled(vector, 3, 0);
        int rows = RowChunks.maxRowsPerChunk(3);
        assertTrue(tile.length >= rows * 3);
        for (int row = 0; row < rows; row++) {
            for (int column = 0; column < 3; column++) {
                assertEquals(7f + column, tile[row * 3 + column], "row " + row + ", column " + column);
            }
        }
    }

    @Test
    void refusesToTileAVectorThatIsNotFloat() {
        INDArray doubles = Nd4j.arange(3).castTo(DataType.DOUBLE);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> RowChunks.tiled(doubles, 3, 0));
        assertTrue(error.getMessage().contains("must be FLOAT"), error.getMessage());
    }

    @Test
    void readsAndWritesDoubles() {
        INDArray array = Nd4j.arange(12).castTo(DataType.DOUBLE).reshape(3, 4);
        double[] read = new double[4];
        RowChunks.read(RowChunks.doubleBuffer(array), 4, read, 4);
        assertArrayEquals(new double[] {4, 5, 6, 7}, read);
        RowChunks.write(new double[] {0.5}, 1, RowChunks.doubleBuffer(array), 11);
        assertEquals(0.5, array.getDouble(2, 3));
    }

    @Test
    void refusesArraysJavaLoopsCannotWalk() {
        INDArray fortranOrder = Nd4j.create(DataType.FLOAT, new long[] {4, 3}, 'f');
        INDArray columns = Nd4j.create(DataType.FLOAT, 4, 6).get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3));
        INDArray halfPrecision = Nd4j.create(DataType.HALF, 4, 3);
        INDArray floats = Nd4j.create(DataType.FLOAT, 4, 3);
        INDArray doubles = Nd4j.create(DataType.DOUBLE, 4, 3);
        for (INDArray[] arrays : new INDArray[][] {{fortranOrder}, {columns}, {halfPrecision}, {floats, doubles}}) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> RowChunks.checkedType(arrays));
            assertTrue(error.getMessage().startsWith("row kernels need contiguous c-order"), error.getMessage());
        }
    }

    @Test
    void visitsEveryRowOnceInChunksThatDependOnlyOnTheShape() {
        long rows = 250;   // 170 rows of 96 fill a chunk
        int columns = 96;
        AtomicLong rowsSeen = new AtomicLong();
        AtomicLong rowIndexSum = new AtomicLong();
        RowChunks.forEach(rows, columns, chunk -> {
            assertEquals((long) chunk.index() * RowChunks.rowsPerChunk(rows, columns), chunk.firstRow());
            assertTrue(chunk.rows() <= RowChunks.maxRowsPerChunk(columns));
            assertEquals(chunk.rows() * columns, chunk.length());
            rowsSeen.addAndGet(chunk.rows());
            for (long row = chunk.firstRow(); row < chunk.firstRow() + chunk.rows(); row++) {
                rowIndexSum.addAndGet(row);
            }
        });
        assertEquals(rows, rowsSeen.get());
        assertEquals(rows * (rows - 1) / 2, rowIndexSum.get());
        assertEquals(2, RowChunks.chunkCount(rows, columns), "two equal chunks rather than one full and a short one");
        assertEquals(125, RowChunks.rowsPerChunk(rows, columns));
        assertEquals(4, RowChunks.chunkCount(300, 160), "an even number of chunks (102 rows of 160 fill one)");
        assertEquals(1, RowChunks.chunkCount(150, 96), "one chunk when it fits");
        assertEquals(1, RowChunks.maxRowsPerChunk(1_000_000), "a row longer than a chunk is a chunk of its own");
    }

    @Test
    void keepsEachThreadsWorkingArraysFromOneCallToTheNext() {
        Map<Thread, Set<Integer>> arraysByThread = new ConcurrentHashMap<>();
        Thread caller = Thread.currentThread();
        AtomicInteger chunksElsewhere = new AtomicInteger();
        for (int call = 0; call < 3; call++) {
            RowChunks.forEach(32 * 64, 1024, chunk -> {
                float[] working = chunk.floats(0);
                arraysByThread.computeIfAbsent(Thread.currentThread(), thread -> ConcurrentHashMap.newKeySet())
                        .add(System.identityHashCode(working));
                if (Thread.currentThread() != caller) {
                    chunksElsewhere.incrementAndGet();
                }
                LockSupport.parkNanos(1_000_000);   // long enough chunks that the pool's workers take some
            });
        }
        assertTrue(chunksElsewhere.get() > 0, "the pool's workers ran no chunk");
        arraysByThread.forEach((thread, arrays) -> assertEquals(1, arrays.size(), thread.getName() + " got new arrays"));
    }
}
