package org.convnext4j.model.kernels.java;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

import org.convnext4j.model.kernels.Views;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs Java loops over the rows of (rows, columns) c-order ND4J arrays, a chunk of rows at a time,
 * chunks in parallel on the {@link KernelThreads}, each chunk copied into this thread's Java arrays
 * and back.
 *
 * <p>Why: ND4J runs each elementwise op as its own pass over memory followed by an OpenMP barrier,
 * and LayerNorm, GELU and their gradients are a dozen such passes. HotSpot compiles a short loop
 * over a Java array into vector instructions, so one fused pass over a chunk that stays in cache
 * does the work of many ND4J ops. Chunk boundaries depend only on the shape, never on thread
 * timing, so every result, sums included, is the same from run to run.
 */
final class RowChunks {

    /**
     * Elements per chunk: a kernel's few arrays of this size (its working arrays and tiles, 64 KB
     * each) stay in a core's L2 cache, half a megabyte on the AVX2 machines, and a chunk is long
     * enough that handing it to a thread costs little.
     */
    private static final int CHUNK_ELEMENTS = 16384;

    private static final ThreadLocal<RowChunks> BUFFERS = ThreadLocal.withInitial(RowChunks::new);

    /** Work on one chunk of rows. */
    interface Kernel {
        void run(Chunk chunk);
    }

    private final float[][] floats = new float[6][0];
    private final float[][] tiles = new float[3][0];
    private final double[][] doubles = new double[6][0];

    private RowChunks() {
    }

    /** The most rows a chunk of rows of this length holds (at least one). */
    static int maxRowsPerChunk(long columns) {
        return (int) Math.max(1, CHUNK_ELEMENTS / columns);
    }

    /**
     * Rows per chunk: chunks of at most {@link #CHUNK_ELEMENTS}, an even number of them where there
     * is more than one. An odd count leaves one of two cores idle for a chunk: three chunks take as
     * long as four.
     */
    static int rowsPerChunk(long rows, long columns) {
        long chunks = (rows + maxRowsPerChunk(columns) - 1) / maxRowsPerChunk(columns);
        if (chunks > 1 && chunks % 2 == 1) {
            chunks++;
        }
        return (int) ((rows + chunks - 1) / chunks);
    }

    /** The number of chunks {@link #forEach} splits {@code rows} rows into. */
    static int chunkCount(long rows, long columns) {
        int perChunk = rowsPerChunk(rows, columns);
        return (int) ((rows + perChunk - 1) / perChunk);
    }

    /** Runs {@code kernel} once per chunk of rows, chunks in parallel. */
    static void forEach(long rows, int columns, Kernel kernel) {
        int perChunk = rowsPerChunk(rows, columns);
        SharedIndices.run(chunkCount(rows, columns), index -> {
            long firstRow = (long) index * perChunk;
            kernel.run(new Chunk(index, firstRow, (int) Math.min(perChunk, rows - firstRow), columns));
        });
    }

    /**
     * A per-column vector repeated for a whole chunk of rows, in this thread's tile array number
     * {@code slot} (0 to 2), for the chunks of the next {@link #forEach} to read. HotSpot (17)
     * vectorises a loop only when every array in it is indexed alike, so per-column values are read
     * from this copy at the element's own index rather than at its column. Reused, not allocated:
     * a fresh array per call made enough garbage to grow the Java heap.
     */
    static float[] tiled(INDArray vector, long columns, int slot) {
        if (checkedType(vector) != DataType.FLOAT) {
            throw new IllegalArgumentException("a float kernel's per-column vector must be FLOAT, got " + vector.dataType());
        }
        int rowLength = Math.toIntExact(vector.length());
        int length = maxRowsPerChunk(columns) * rowLength;
        float[][] own = BUFFERS.get().tiles;
        if (own[slot].length < length) {
            own[slot] = new float[length];
        }
        float[] tile = own[slot];
        // Straight into the tile, with no copy of the vector between: this runs on every kernel call.
        read(floatBuffer(vector), 0, tile, rowLength);
        // Doubling the filled part: a few long copies instead of one short copy per row, on the calling thread alone.
        for (int filled = rowLength; filled < length; filled *= 2) {
            System.arraycopy(tile, 0, tile, filled, Math.min(filled, length - filled));
        }
        return tile;
    }

    /** This thread's float working array number {@code slot}, at least {@code length} long. */
    static float[] floats(int slot, int length) {
        float[][] own = BUFFERS.get().floats;
        if (own[slot].length < length) {
            own[slot] = new float[length];
        }
        return own[slot];
    }

    /** This thread's double working array number {@code slot}, at least {@code length} long. */
    static double[] doubles(int slot, int length) {
        double[][] own = BUFFERS.get().doubles;
        if (own[slot].length < length) {
            own[slot] = new double[length];
        }
        return own[slot];
    }

    /** Copies {@code length} elements from {@code array}'s memory, starting at element {@code first}, into {@code into}. */
    static void read(FloatBuffer array, long first, float[] into, int length) {
        array.get(Math.toIntExact(first), into, 0, length);
    }

    static void read(DoubleBuffer array, long first, double[] into, int length) {
        array.get(Math.toIntExact(first), into, 0, length);
    }

    /** Copies {@code length} elements of {@code from} into {@code array}'s memory from element {@code first} on. */
    static void write(float[] from, int length, FloatBuffer array, long first) {
        array.put(Math.toIntExact(first), from, 0, length);
    }

    static void write(double[] from, int length, DoubleBuffer array, long first) {
        array.put(Math.toIntExact(first), from, 0, length);
    }

    /** Whether the array is a matrix of contiguous c-order rows, as libnd4j's products take whole. */
    static boolean plainMatrix(INDArray array) {
        return array.rank() == 2 && Views.contiguous(array);
    }

    /**
     * Checks that the arrays are plain c-order arrays (or vectors) of one type that Java loops may
     * address element by element. Their memory is the host's: {@link JavaKernels} runs only on ND4J's
     * CPU backend.
     */
    static DataType checkedType(INDArray... arrays) {
        DataType type = arrays[0].dataType();
        for (INDArray array : arrays) {
            if (array.dataType() != type || (type != DataType.FLOAT && type != DataType.DOUBLE)
                    || (array.rank() > 1 && array.ordering() != 'c') || array.elementWiseStride() != 1) {
                throw new IllegalArgumentException("row kernels need contiguous c-order " + type
                        + " arrays, got " + array.dataType() + " " + array.shapeInfoToString());
            }
        }
        return type;
    }

    /**
     * The array's memory as a buffer, fetched once per kernel call on the calling thread and shared by
     * its chunks (absolute reads and writes of disjoint ranges, safe from any thread). Why not one per
     * chunk: ND4J's path to the buffer is a deep chain of calls that HotSpot's C2 inlined into every
     * chunk loop that fetched it, and compiled twice (on-stack replacement, then whole), which
     * doubled the compiler's work in a small model's first seconds and slowed its first steps
     * (docs/performance-journal.md, #18). A view's data buffer already starts at the view's first element.
     */
    static FloatBuffer floatBuffer(INDArray array) {
        return array.data().asNioFloat().slice();
    }

    static DoubleBuffer doubleBuffer(INDArray array) {
        return array.data().asNioDouble().slice();
    }
}
