package org.convnext4j.model.kernels.java;

import java.nio.FloatBuffer;

import org.convnext4j.model.kernels.WorkingArrays;
import org.convnext4j.model.kernels.nd4j.Nd4jKernels;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * c = alpha·a·b through b copied into rows a little longer than its own, for the products that
 * oneDNN's AVX2 kernels would otherwise run far below their speed.
 *
 * <p>For a product with few rows, oneDNN multiplies without packing b first, reading b's rows where
 * they lie (when 1/M + 1/N, rows and columns of the result, is at least {@link #NO_COPY_THRESHOLD}).
 * Rows of b a multiple of 4 KiB apart fall on the same cache sets, and such a product runs far slower
 * than its neighbours, ConvNeXt-T's last-stage fc1 in split inference (196×768 · 768×3072) for one
 * (docs/performance-journal.md, #18). Here b is copied into rows {@link #EXTRA_COLUMNS} longer, which
 * no longer alias, multiplied whole (a view would make libnd4j leave oneDNN), and c's columns copied
 * out of the wider result. The copies cost a few passes over b and c: for products of at least
 * {@link #LEAST_ROWS} rows a small part of the product's work. The extra columns hold zeros, and
 * their results are dropped: every value kept is the product's own.
 */
final class PaddedProduct {

    /**
     * 1/M + 1/N at and above which oneDNN's AVX2 GEMM reads b in place (oneDNN 2.x's no-copy check for
     * AVX2; the rows at which the slow products turned fast here agree with it).
     */
    private static final double NO_COPY_THRESHOLD = 0.0038;
    /** Row strides of b that are a multiple of this many bytes put its rows on the same cache sets. */
    private static final long ALIASING_BYTES = 4096;
    /** Floats added to each row of b's copy: 64 bytes, a cache line, so that its rows fall on other sets. */
    static final int EXTRA_COLUMNS = 16;
    /** Fewer rows than this and copying b costs more than a tenth of the product. */
    private static final long LEAST_ROWS = 32;
    // Scratch roles (see WorkingArrays).
    private static final String WIDE_B = "java.wideB";
    private static final String WIDE_C = "java.wideC";

    private PaddedProduct() {
    }

    /**
     * Whether c = a·b (no transposes) goes through a widened b: only float products of plain c-order
     * arrays whose b rows alias and that oneDNN would not pack.
     */
    static boolean applies(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB) {
        if (transposeA || transposeB || a.dataType() != DataType.FLOAT || !RowChunks.plainMatrix(a) || !RowChunks.plainMatrix(b) || !RowChunks.plainMatrix(c)) {
            return false;
        }
        return applies(a.size(0), b.size(1), b.stride(0) * (long) Float.BYTES);
    }

    /** Whether a product of {@code rows} × {@code columns}, b's rows {@code bRowBytes} apart, goes through a widened b. */
    static boolean applies(long rows, long columns, long bRowBytes) {
        return bRowBytes % ALIASING_BYTES == 0 && rows >= LEAST_ROWS && 1.0 / rows + 1.0 / columns >= NO_COPY_THRESHOLD;
    }

    /** c = alpha·a·b through b widened by {@link #EXTRA_COLUMNS} zero columns, in this thread's working arrays. */
    static void multiply(Nd4jKernels nd4j, INDArray a, INDArray b, INDArray c, double alpha) {
        int inner = (int) b.size(0);
        int columns = (int) b.size(1);
        int wide = columns + EXTRA_COLUMNS;
        WorkingArrays scratch = WorkingArrays.scratch();
        INDArray wideB = scratch.get(WIDE_B, DataType.FLOAT, inner, wide);
        INDArray wideC = scratch.get(WIDE_C, DataType.FLOAT, c.size(0), wide);
        // Row by row in Java: ND4J's assign between a strided view and a plain array took longer than the product.
        copyRows(RowChunks.floatBuffer(b), columns, RowChunks.floatBuffer(wideB), wide, inner, columns);
        nd4j.matmul(a, wideB, wideC, false, false, alpha);
        copyRows(RowChunks.floatBuffer(wideC), wide, RowChunks.floatBuffer(c), columns, (int) c.size(0), columns);
    }

    /**
     * Copies {@code rows} rows of {@code length} floats from rows {@code fromStride} apart to rows
     * {@code toStride} apart, zeros after them where the target rows are longer. A method of its own,
     * with no ND4J call in it: HotSpot compiles its loop once and small (compiled inside
     * {@link #multiply}, it took ND4J's calls along, twice).
     */
    private static void copyRows(FloatBuffer from, int fromStride, FloatBuffer to, int toStride, int rows, int length) {
        float[] row = new float[Math.max(fromStride, toStride)];   // what lies past length stays zero
        for (int r = 0; r < rows; r++) {
            from.get(r * fromStride, row, 0, length);
            to.put(r * toStride, row, 0, toStride);
        }
    }
}
