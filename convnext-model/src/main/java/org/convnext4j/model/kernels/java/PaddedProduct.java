package org.convnext4j.model.kernels.java;

import org.convnext4j.model.kernels.WorkingArrays;
import org.convnext4j.model.kernels.nd4j.Nd4jKernels;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * c = alpha·a·b through a padded with zero rows, for the products that oneDNN's AVX2 kernels would
 * otherwise run far below their speed.
 *
 * <p>For a product with few rows, oneDNN multiplies without packing b first, reading b's rows where
 * they lie (when 1/M + 1/N, rows and columns of the result, is at least {@link #NO_COPY_THRESHOLD}).
 * Rows of b a multiple of 4 KiB apart fall on the same cache sets, and such a product runs far slower
 * than its neighbours, ConvNeXt-T's last-stage fc1 in split inference (196×768 · 768×3072) for one
 * (docs/performance-journal.md, #18). With zero rows added to a until 1/M + 1/N is under the
 * threshold, oneDNN packs b, and the extra rows cost less than the conflicts as long as they at most
 * double the work. Each row of the result depends on its own row of
 * a only, so the rows kept are exactly the product's, the padding rows' results are dropped.
 */
final class PaddedProduct {

    /**
     * 1/M + 1/N at and above which oneDNN's AVX2 GEMM reads b in place (oneDNN 2.x's no-copy check for
     * AVX2; the rows at which the slow products turned fast here agree with it).
     */
    private static final double NO_COPY_THRESHOLD = 0.0038;
    /** Row strides of b that are a multiple of this many bytes put its rows on the same cache sets. */
    private static final long ALIASING_BYTES = 4096;
    /** Padding that would more than double the product's rows is not worth it. */
    private static final long MOST_ROWS_FACTOR = 2;
    // Scratch roles (see WorkingArrays).
    private static final String PADDED_A = "java.paddedA";
    private static final String PADDED_C = "java.paddedC";

    private PaddedProduct() {
    }

    /**
     * The rows to pad a to for c = a·b (no transposes), or 0 to run the product as it is: only float
     * products of plain c-order arrays whose b rows alias and that oneDNN would not pack.
     */
    static long paddedRows(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB) {
        if (transposeA || transposeB || a.dataType() != DataType.FLOAT || !plain(a) || !plain(b) || !plain(c)) {
            return 0;
        }
        return paddedRows(a.size(0), b.size(1), b.stride(0) * (long) Float.BYTES);
    }

    /** The rows to pad a product of {@code rows} × {@code columns} to, b's rows {@code bRowBytes} apart; 0 for none. */
    static long paddedRows(long rows, long columns, long bRowBytes) {
        if (bRowBytes % ALIASING_BYTES != 0 || 1.0 / rows + 1.0 / columns < NO_COPY_THRESHOLD) {
            return 0;
        }
        double columnsShare = 1.0 / columns;
        if (columnsShare >= NO_COPY_THRESHOLD) {
            return 0;   // no row count would make oneDNN pack
        }
        long packed = (long) Math.floor(1.0 / (NO_COPY_THRESHOLD - columnsShare)) + 1;
        return packed <= MOST_ROWS_FACTOR * rows ? packed : 0;
    }

    /** c = alpha·a·b with a padded to {@code paddedRows} rows of zeros, in this thread's working arrays. */
    static void multiply(Nd4jKernels nd4j, INDArray a, INDArray b, INDArray c, double alpha, long paddedRows) {
        long rows = a.size(0);
        WorkingArrays scratch = WorkingArrays.scratch();
        INDArray paddedA = scratch.get(PADDED_A, a.dataType(), paddedRows, a.size(1));
        INDArray paddedC = scratch.get(PADDED_C, c.dataType(), paddedRows, c.size(1));
        paddedA.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all()).assign(a);
        paddedA.get(NDArrayIndex.interval(rows, paddedRows), NDArrayIndex.all()).assign(0);
        nd4j.matmul(paddedA, b, paddedC, false, false, alpha);
        c.assign(paddedC.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all()));
    }

    private static boolean plain(INDArray array) {
        return array.rank() == 2 && array.ordering() == 'c' && array.elementWiseStride() == 1;
    }
}
