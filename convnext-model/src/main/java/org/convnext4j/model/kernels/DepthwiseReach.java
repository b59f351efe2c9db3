package org.convnext4j.model.kernels;

import java.util.Arrays;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The part of a block's 7×7 depthwise kernel that can reach an H×W input: on inputs under 4×4 (the
 * last stage of a small image) the outer taps only ever meet zero padding. Convolving with just the
 * reachable centre gives the same result, and oneDNN's fast kernels take it, where the full kernel
 * on such an input falls back to a far slower path.
 *
 * @param rows    kernel rows that reach the input
 * @param columns kernel columns that reach the input
 */
public record DepthwiseReach(int rows, int columns) {

    private static final int K = Kernels.DEPTHWISE_KERNEL;

    /** The reach for an NHWC input of this height and width. */
    public static DepthwiseReach of(long height, long width) {
        return new DepthwiseReach(extent(height), extent(width));
    }

    /** 2·size − 1 taps reach an input of that size; at least 3, as libnd4j fails on 1×1 kernels at batch 1. */
    private static int extent(long size) {
        return (int) Math.max(3, Math.min(K, 2 * size - 1));
    }

    public boolean isWholeKernel() {
        return rows == K && columns == K;
    }

    /** The centre rows × columns window of a (7, 7, …) kernel or kernel gradient, as a view. */
    public INDArray window(INDArray full) {
        int top = (K - rows) / 2;
        int left = (K - columns) / 2;
        INDArrayIndex[] index = new INDArrayIndex[full.rank()];
        Arrays.fill(index, NDArrayIndex.all());
        index[0] = NDArrayIndex.interval(top, top + rows);
        index[1] = NDArrayIndex.interval(left, left + columns);
        return full.get(index);
    }

    /** The kernel to convolve with: the full one, or a copy of its reachable centre in the scratch array for {@code role}. */
    public INDArray kernel(INDArray full, String role) {
        if (isWholeKernel()) {
            return full;
        }
        INDArray centre = window(full);
        return WorkingArrays.scratch().get(role, full.dataType(), centre.shape()).assign(centre);
    }

    /** Stride 1, padded to keep the size, channels-last, with the reachable kernel's size. */
    public Conv2DConfig convolution() {
        return Conv2DConfig.builder()
                .kH(rows).kW(columns).sH(1).sW(1).pH(rows / 2).pW(columns / 2)
                .paddingMode(PaddingMode.VALID)
                .dataFormat(Conv2DConfig.NHWC)
                .build();
    }
}
