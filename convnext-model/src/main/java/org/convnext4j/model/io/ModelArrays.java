package org.convnext4j.model.io;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Reads one array of a model file, in {@code Nd4j.write}'s format (the shape buffer, then the data
 * buffer, each as mode, length, type, then big-endian values), after checking its header against
 * what the network's configuration needs: nothing is allocated for a length the file merely claims.
 * The values are copied into the array a chunk at a time, so reading holds no model-sized Java array.
 */
final class ModelArrays {

    private static final int MAX_RANK = 32;
    private static final String SHAPE_TYPE = "LONG";
    /** Values copied into the array at a time. */
    private static final int CHUNK = 1 << 16;

    private ModelArrays() {
    }

    /**
     * The array stored in {@code entry}, a vector of exactly {@code expectedLength} values of
     * {@code expectedType} (float or double) with nothing after them; {@code what} names the entry in errors.
     */
    static INDArray read(InputStream entry, long expectedLength, DataType expectedType, String what) throws IOException {
        DataInputStream in = new DataInputStream(entry);
        try {
            in.readUTF();
            long shapeLength = in.readLong();
            String shapeType = in.readUTF();
            if (shapeLength < 4 || shapeLength > 2L * MAX_RANK + 4 || !shapeType.equals(SHAPE_TYPE)) {
                throw new IOException(what + ": not an array (shape header " + shapeLength + " " + shapeType + ")");
            }
            in.skipNBytes(shapeLength * Long.BYTES);
            in.readUTF();
            long length = in.readLong();
            String type = in.readUTF();
            if (length != expectedLength || !type.equals(expectedType.name())
                    || (expectedType != DataType.FLOAT && expectedType != DataType.DOUBLE)) {
                throw new IOException(what + ": holds " + length + " " + type + " values, the network needs " + expectedLength
                        + " " + expectedType);
            }
            INDArray array = Nd4j.createUninitialized(expectedType, length);
            Chunks chunks = new Chunks(expectedType, (int) Math.min(CHUNK, length));
            for (long start = 0; start < length; start += CHUNK) {
                int count = (int) Math.min(CHUNK, length - start);
                try (INDArray part = chunks.next(in, count)) {
                    array.get(NDArrayIndex.interval(start, start + count)).assign(part);
                }
            }
            if (in.read() != -1) {
                throw new IOException(what + ": more data after its " + length + " values");
            }
            return array;
        } catch (EOFException e) {
            throw new IOException(what + ": truncated", e);
        }
    }

    /** One chunk of values at a time, in arrays reused from chunk to chunk (only a shorter last chunk gets its own). */
    private static final class Chunks {
        private final DataType type;
        private final byte[] bytes;
        private final float[] floats;
        private final double[] doubles;

        Chunks(DataType type, int size) {
            this.type = type;
            this.bytes = new byte[size * type.width()];
            this.floats = type == DataType.FLOAT ? new float[size] : null;
            this.doubles = type == DataType.DOUBLE ? new double[size] : null;
        }

        INDArray next(DataInputStream in, int count) throws IOException {
            in.readFully(bytes, 0, count * type.width());
            ByteBuffer values = ByteBuffer.wrap(bytes, 0, count * type.width()).order(ByteOrder.BIG_ENDIAN);
            if (type == DataType.FLOAT) {
                values.asFloatBuffer().get(floats, 0, count);
                return Nd4j.createFromArray(count == floats.length ? floats : Arrays.copyOf(floats, count));
            }
            values.asDoubleBuffer().get(doubles, 0, count);
            return Nd4j.createFromArray(count == doubles.length ? doubles : Arrays.copyOf(doubles, count));
        }
    }
}
