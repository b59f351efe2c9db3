package org.convnext4j.model.layers;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Working arrays of the hand-written layers, kept outside DL4J's workspaces and reused while the
 * role, data type and shape stay the same, so a training step allocates nothing once warm.
 *
 * <p>{@link #scratch()} is one set per thread for values that live within one layer call; layers
 * run one at a time on a thread, so blocks of a stage share the same scratch memory. Values saved
 * from a forward pass for the backward pass belong to each layer's own instance instead.
 */
final class WorkingArrays {

    private static final ThreadLocal<WorkingArrays> SCRATCH = ThreadLocal.withInitial(WorkingArrays::new);

    private final Map<String, INDArray> arrays = new HashMap<>();

    static WorkingArrays scratch() {
        return SCRATCH.get();
    }

    /**
     * The scratch array for {@code role} with this type and shape, with whatever a previous call left
     * in it. Each distinct shape keeps its own array (one per stage, and one more per batch size seen).
     */
    INDArray get(String role, DataType dataType, long... shape) {
        String key = role + " " + dataType + " " + Arrays.toString(shape);
        return arrays.computeIfAbsent(key, k -> Nd4j.create(dataType, shape, 'c'));
    }

    /**
     * For values a layer keeps: {@code current} when it is the layer's own array (not this thread's
     * scratch, which an inference pass may have lent it) of this type and shape, else a new array.
     */
    static INDArray owned(INDArray current, DataType dataType, long... shape) {
        if (current != null && current.dataType() == dataType && Arrays.equals(current.shape(), shape)
                && scratch().arrays.values().stream().noneMatch(array -> array == current)) {
            return current;
        }
        return Nd4j.create(dataType, shape, 'c');
    }
}
