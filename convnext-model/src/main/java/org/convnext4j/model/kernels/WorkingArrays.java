package org.convnext4j.model.kernels;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Working arrays of the hand-written layers and the ND4J-op kernels, kept outside DL4J's
 * workspaces and reused, so a training step allocates nothing once warm (on the CPU a fresh,
 * zeroed array costs far more than the op that fills it).
 *
 * <p>{@link #scratch()} is one set per thread for values that live within one layer or kernel
 * call. Layers and kernels run one at a time on a thread, so all share one buffer per role (each
 * names its own roles): as long as the largest shape asked for, lent out as views of its first
 * elements. Kept per shape instead, ConvNeXt-T's four stages held four sets of the layers' arrays.
 * Values saved from a forward pass for the backward pass belong to each layer's own instance
 * instead ({@link #owned}).
 */
public final class WorkingArrays {

    private static final ThreadLocal<WorkingArrays> SCRATCH = ThreadLocal.withInitial(WorkingArrays::new);

    /** By role and data type: a flat buffer as long as the largest shape asked for. */
    private final Map<String, INDArray> buffers = new HashMap<>();
    /** By role, data type and shape: the views of those buffers lent so far. */
    private final Map<String, INDArray> views = new HashMap<>();

    public static WorkingArrays scratch() {
        return SCRATCH.get();
    }

    /**
     * The scratch array for {@code role} with this type and shape, with whatever a previous call left
     * in it; it shares memory with this role's arrays of every other shape.
     */
    public INDArray get(String role, DataType dataType, long... shape) {
        String bufferKey = role + " " + dataType;
        String key = bufferKey + " " + Arrays.toString(shape);
        INDArray view = views.get(key);
        if (view == null) {
            long length = Arrays.stream(shape).reduce(1, Math::multiplyExact);
            INDArray buffer = buffers.get(bufferKey);
            if (buffer == null || buffer.length() < length) {
                buffer = Nd4j.create(dataType, length);
                buffers.put(bufferKey, buffer);
                views.keySet().removeIf(lent -> lent.startsWith(bufferKey + " "));
            }
            view = buffer.get(NDArrayIndex.interval(0, length)).reshape('c', shape);
            views.put(key, view);
        }
        return view;
    }

    /** For values a layer keeps between its forward and backward pass: {@code current} if it fits, else a new array. */
    public static INDArray owned(INDArray current, DataType dataType, long... shape) {
        if (current != null && current.dataType() == dataType && Arrays.equals(current.shape(), shape)) {
            return current;
        }
        return Nd4j.create(dataType, shape, 'c');
    }
}
