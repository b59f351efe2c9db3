package org.convnext4j.model.kernels;

import java.util.Arrays;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Views of contiguous c-order arrays (another shape, a range of the first axis) made directly from
 * their buffer, for the layers' and kernels' calls in every step.
 *
 * <p>Why not {@code reshape} and {@code get(interval)}: ND4J's general versions of both are among
 * HotSpot's largest compilations ({@code Shape.newShapeNoCopy}, {@code BaseNDArray.get}), and called
 * a hundred times a step they become hot just when the first steps run, so that compiling them took
 * one of the two cores from those steps. For a contiguous c-order array a view is its buffer, offset
 * and the new shape's c-order strides; {@link #reshaped} refuses any other layout, {@link #firstAxisRange}
 * takes ND4J's general path for it.
 */
public final class Views {

    private Views() {
    }

    /**
     * {@code array}, contiguous in c order, as the c-order shape {@code shape} (same length): a view
     * sharing its memory. Any other layout is refused rather than copied, because the layers write
     * their outputs and gradients through these views: a copy would lose what is written to it.
     */
    public static INDArray reshaped(INDArray array, long... shape) {
        if (!contiguous(array)) {
            throw new IllegalStateException("expected a contiguous c-order array to view as " + Arrays.toString(shape)
                    + ", got shape " + Arrays.toString(array.shape()) + ", strides " + Arrays.toString(array.stride())
                    + ", order " + array.ordering());
        }
        long length = 1;
        long[] strides = new long[shape.length];
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            strides[axis] = length;
            length *= shape[axis];
        }
        if (length != array.length()) {
            throw new IllegalArgumentException("cannot view " + array.length() + " elements as " + Arrays.toString(shape));
        }
        return Nd4j.create(array.data(), shape, strides, array.offset(), 'c');
    }

    /** Entries {@code from} (inclusive) to {@code to} (exclusive) along the first axis: a view sharing {@code array}'s memory. */
    public static INDArray firstAxisRange(INDArray array, long from, long to) {
        if (from < 0 || to > array.size(0) || from > to) {
            throw new IllegalArgumentException("range " + from + " to " + to + " of an axis of " + array.size(0));
        }
        if (!contiguous(array)) {
            return array.get(NDArrayIndex.interval(from, to));
        }
        long[] shape = array.shape().clone();   // shape() and stride() are the array's own
        shape[0] = to - from;
        return Nd4j.create(array.data(), shape, array.stride().clone(), array.offset() + from * array.stride(0), 'c');
    }

    /** Whether {@code array}'s elements are, in c order, those of its buffer from its offset on (and there are some). */
    public static boolean contiguous(INDArray array) {
        return array.ordering() == 'c' && array.elementWiseStride() == 1 && !array.isEmpty();
    }
}
