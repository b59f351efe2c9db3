package org.convnext4j.model.kernels.java;

import org.convnext4j.model.kernels.Views;
import org.convnext4j.model.kernels.WorkingArrays;
import org.convnext4j.model.kernels.nd4j.Nd4jKernels;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * c = alpha·op(a)·op(b) as one one-thread product per kernel thread ({@link OneThreadParts}), for the
 * large products with few columns that oneDNN's AVX2 GEMM splits over threads below its one-thread speed.
 *
 * <p>Two shapes, both ConvNeXt-T's first stage at batch 8 (96 channels, 25088 rows): a product with
 * few columns and a longer inner dimension (fc2, and fc1's input gradient) ran at two-thirds of the
 * machine's GEMM speed on two threads and a fifth faster as two one-thread products over halves of
 * the rows; a weight gradient (a transposed, an inner dimension of all the rows) as two products over
 * halves of the inner dimension, added, also a fifth faster (docs/performance-journal.md, #18). Split
 * by rows, every value is the product's own; split by the inner dimension, its sum is taken in two
 * halves, fixed by the shapes alone.
 */
final class SplitProduct {

    /** How a product is run. */
    enum Split {
        /** As it is. */
        NONE,
        /** One product per range of rows of a and c. */
        ROWS,
        /** One product per range of the inner dimension, then the partial results added. */
        INNER
    }

    /** Columns of c up to which oneDNN's two-thread split fell behind (96 did, 384 did not, 192 a little). */
    private static final long FEW_COLUMNS = 192;
    /**
     * Multiply-adds below which a product is left alone: the gains were measured on products of about
     * 2^30; at atto's first stage (2^27) the split was as often slower as faster.
     */
    private static final long LEAST_WORK = 1L << 28;
    /** How many times the larger side of c the inner dimension must be for the split by it to pay. */
    private static final long INNER_FACTOR = 16;
    // Scratch roles (see WorkingArrays).
    private static final String PARTIAL_C = "java.partialC";

    private SplitProduct() {
    }

    /** How to run c = op(a)·op(b) for c of {@code rows} × {@code columns} and inner dimension {@code inner}. */
    static Split choose(long rows, long inner, long columns, boolean transposeA, boolean transposeB) {
        if (rows * inner * columns < LEAST_WORK) {
            return Split.NONE;
        }
        if (!transposeA && columns <= FEW_COLUMNS && inner >= 2 * columns) {
            return Split.ROWS;
        }
        if (transposeA && !transposeB && inner >= INNER_FACTOR * Math.max(rows, columns)) {
            return Split.INNER;
        }
        return Split.NONE;
    }

    /** The split for this product of plain c-order float arrays; {@link Split#NONE} for any other, or with one thread. */
    static Split choose(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB) {
        if (a.dataType() != DataType.FLOAT || !RowChunks.plainMatrix(a) || !RowChunks.plainMatrix(b) || !RowChunks.plainMatrix(c) || OneThreadParts.count(c.size(0)) < 2) {
            return Split.NONE;
        }
        return choose(c.size(0), transposeA ? a.size(0) : a.size(1), c.size(1), transposeA, transposeB);
    }

    /** c = alpha·op(a)·op(b) split as {@code split} says ({@link Split#ROWS} or {@link Split#INNER}). */
    static void multiply(Nd4jKernels nd4j, INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB,
                         double alpha, Split split) {
        switch (split) {
            case ROWS -> OneThreadParts.run(c.size(0), (index, from, to) -> nd4j.matmul(Views.firstAxisRange(a, from, to), b,
                    Views.firstAxisRange(c, from, to), false, transposeB, alpha));
            case INNER -> multiplyByInner(nd4j, a, b, c, alpha);
            case NONE -> throw new IllegalArgumentException("a product run as it is has no split");
        }
    }

    /** c = alpha·aᵀ·b as the sum of one product per range of a's and b's rows, the first into c, the others into scratch. */
    private static void multiplyByInner(Nd4jKernels nd4j, INDArray a, INDArray b, INDArray c, double alpha) {
        long inner = a.size(0);
        int parts = OneThreadParts.count(inner);
        long rows = c.size(0);
        // the partial products one below the other, each rows × columns
        INDArray partials = WorkingArrays.scratch().get(PARTIAL_C, c.dataType(), (parts - 1) * rows, c.size(1));
        OneThreadParts.run(inner, (index, from, to) -> {
            INDArray into = index == 0 ? c : partial(partials, index - 1, rows);
            nd4j.matmul(Views.firstAxisRange(a, from, to), Views.firstAxisRange(b, from, to), into, true, false, alpha);
        });
        for (int part = 0; part < parts - 1; part++) {
            c.addi(partial(partials, part, rows));
        }
    }

    private static INDArray partial(INDArray partials, int part, long rows) {
        return Views.firstAxisRange(partials, part * rows, (part + 1) * rows);
    }
}
