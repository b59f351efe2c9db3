package org.convnext4j.model.weights;

import java.nio.ByteBuffer;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A tensor as {@code torch.save} pickles it: a strided view of one storage, starting {@code offset} elements in.
 * {@link SafeUnpickler} builds these only after checking that every element of the view lies inside the storage
 * and that the element count fits a Java array.
 */
record TorchTensor(Storage storage, long offset, long[] size, long[] stride) {

    /**
     * One storage: {@code numel} elements of {@code dtype}, whose bytes are the zip entry {@code data/<key>}.
     * Several tensors may view the same storage.
     */
    record Storage(TorchDtype dtype, String key, long numel) {

        /** Checked not to overflow when the storage was unpickled. */
        long byteLength() {
            return numel * dtype.byteSize;
        }
    }

    long elementCount() {
        long count = 1;
        for (long dimension : size) {
            count *= dimension;
        }
        return count;
    }

    /**
     * The elements of this view as a C-ordered array: FLOAT for float32, half and bfloat16, DOUBLE for float64.
     *
     * @param data the whole storage, {@link Storage#byteLength()} bytes in the file's byte order
     */
    INDArray read(ByteBuffer data) {
        int count = (int) elementCount();
        return switch (storage.dtype()) {
            case DOUBLE -> {
                double[] values = new double[count];
                forEachElement((i, element) -> values[i] = data.getDouble(element * Double.BYTES));
                yield Nd4j.create(values, size, 'c');
            }
            case FLOAT -> {
                float[] values = new float[count];
                forEachElement((i, element) -> values[i] = data.getFloat(element * Float.BYTES));
                yield Nd4j.create(values, size, 'c');
            }
            case HALF -> {
                float[] values = new float[count];
                forEachElement((i, element) -> values[i] = SafeTensorsDtype.halfToFloat(data.getShort(element * 2)));
                yield Nd4j.create(values, size, 'c');
            }
            case BFLOAT16 -> {
                float[] values = new float[count];
                forEachElement((i, element) ->
                        values[i] = SafeTensorsDtype.bfloat16ToFloat(data.getShort(element * 2)));
                yield Nd4j.create(values, size, 'c');
            }
            default -> throw new IllegalStateException(storage.dtype() + " tensors are not read as weights");
        };
    }

    /**
     * Visits the view's elements in C order, passing each one's index in the storage. Storages are read whole into
     * one byte array, so every byte offset fits an int.
     */
    private void forEachElement(ElementVisitor visitor) {
        int count = (int) elementCount();
        long[] index = new long[size.length];
        long element = offset;
        for (int i = 0; i < count; i++) {
            visitor.visit(i, (int) element);
            // Step the last dimension; one that wraps around returns to its start and carries into the one before.
            for (int d = size.length - 1; d >= 0; d--) {
                index[d]++;
                if (index[d] < size[d]) {
                    element += stride[d];
                    break;
                }
                element -= stride[d] * (size[d] - 1);
                index[d] = 0;
            }
        }
    }

    @FunctionalInterface
    private interface ElementVisitor {
        void visit(int target, int element);
    }
}
