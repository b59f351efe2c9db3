package org.convnext4j.model.weights;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes pickles opcode by opcode, the way torch.save's protocol-2 pickler does, so tests can build any variant. */
final class PickleBuilder {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Starts with PROTO 2, as every torch.save pickle does. */
    static PickleBuilder protocol2() {
        return new PickleBuilder().op(PickleOpcode.PROTO).raw(2);
    }

    PickleBuilder op(PickleOpcode opcode) {
        out.write(opcode.code);
        return this;
    }

    PickleBuilder raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    PickleBuilder raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    /** BINUNICODE. */
    PickleBuilder str(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return op(PickleOpcode.BINUNICODE).raw(littleEndian(4, utf8.length)).raw(utf8);
    }

    /** BININT, a signed 32-bit integer. */
    PickleBuilder integer(long value) {
        return op(PickleOpcode.BININT).raw(littleEndian(4, value));
    }

    PickleBuilder global(String module, String name) {
        return op(PickleOpcode.GLOBAL).raw((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** A tuple of integers, between MARK and TUPLE. */
    PickleBuilder ints(long... values) {
        op(PickleOpcode.MARK);
        for (long value : values) {
            integer(value);
        }
        return op(PickleOpcode.TUPLE);
    }

    /** {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())}. */
    PickleBuilder tensor(String storageClass, String key, long numel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2").op(PickleOpcode.MARK);
        op(PickleOpcode.MARK).str("storage").global("torch", storageClass).str(key).str("cpu").integer(numel)
                .op(PickleOpcode.TUPLE).op(PickleOpcode.BINPERSID);
        integer(offset).ints(size).ints(stride).op(PickleOpcode.NEWFALSE);
        global("collections", "OrderedDict").op(PickleOpcode.EMPTY_TUPLE).op(PickleOpcode.REDUCE);
        return op(PickleOpcode.TUPLE).op(PickleOpcode.REDUCE);
    }

    /** A contiguous float32 tensor of {@code shape} viewing all of storage {@code key}. */
    PickleBuilder floatTensor(String key, long... shape) {
        long[] stride = new long[shape.length];
        long numel = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            stride[d] = numel;
            numel *= shape[d];
        }
        return tensor("FloatStorage", key, numel, 0, shape, stride);
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** STOP, then the pickle. */
    byte[] stop() {
        return op(PickleOpcode.STOP).bytes();
    }

    private static byte[] littleEndian(int width, long value) {
        ByteBuffer buffer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
        byte[] bytes = new byte[width];
        System.arraycopy(buffer.array(), 0, bytes, 0, width);
        return bytes;
    }
}
