package org.convnext4j.model.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header, then the raw
 * little-endian tensor data. Reading never trusts the file: anything malformed is a {@link WeightFileException}.
 */
public final class SafeTensors {

    private static final int LENGTH_PREFIX_BYTES = 8;

    /** Real headers are kilobytes; a larger claim is a corrupt or hostile file, not a reason to allocate. */
    private static final long MAX_HEADER_BYTES = 100L << 20;

    /** Tensor data moves through a buffer of this size, a multiple of every element width so no element is split. */
    private static final int CHUNK_BYTES = 1 << 20;

    private SafeTensors() {
    }

    /**
     * The tensors of {@code file} in header order. F32 and F64 keep their type; F16 and BF16 become FLOAT.
     */
    public static Map<String, INDArray> read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long headerLength = readHeaderLength(file, channel);
            SafeTensorsHeader header = readHeader(file, channel, headerLength);
            long dataStart = LENGTH_PREFIX_BYTES + headerLength;
            Map<String, INDArray> tensors = new LinkedHashMap<>();
            for (SafeTensorsHeader.Entry entry : header.entries()) {
                tensors.put(entry.name(), readTensor(file, channel, dataStart, entry));
            }
            return tensors;
        }
    }

    /** The {@code __metadata__} string map of {@code file}; empty if it has none. The header is validated. */
    public static Map<String, String> readMetadata(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(file, channel, readHeaderLength(file, channel)).metadata();
        }
    }

    /**
     * Writes FLOAT arrays as F32 and DOUBLE arrays as F64, in map order. The file appears complete or not at all:
     * the data goes to a temporary file in the same folder, which then replaces {@code file} in one rename.
     */
    public static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata)
            throws IOException {
        // One walk over the map, so the header and the data cannot disagree.
        List<SafeTensorsHeader.Entry> entries = new ArrayList<>();
        List<INDArray> arrays = new ArrayList<>();
        long offset = 0;
        for (Map.Entry<String, INDArray> tensor : tensors.entrySet()) {
            SafeTensorsHeader.Entry entry = entryFor(file, tensor.getKey(), tensor.getValue(), offset);
            entries.add(entry);
            arrays.add(tensor.getValue());
            offset = entry.end();
        }
        byte[] header = new SafeTensorsHeader(entries, metadata).encode();
        String random = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
        Path temp = file.toAbsolutePath().resolveSibling(file.getFileName() + "." + random + ".tmp");
        try {
            // Files.createTempFile would make the file owner-only; opening it ourselves keeps the usual permissions.
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ByteBuffer prefix = ByteBuffer.allocate(LENGTH_PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                writeFully(channel, prefix.putLong(0, header.length));
                writeFully(channel, ByteBuffer.wrap(header));
                for (INDArray array : arrays) {
                    writeData(channel, array);
                }
                // Otherwise a power loss could persist the rename before the data, leaving a truncated file behind.
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable failure) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
    }

    private static long readHeaderLength(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < LENGTH_PREFIX_BYTES) {
            throw new WeightFileException(file, "file is " + fileSize + " bytes, too short for the "
                    + LENGTH_PREFIX_BYTES + "-byte header length");
        }
        ByteBuffer prefix = ByteBuffer.allocate(LENGTH_PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, channel, prefix, 0);
        long headerLength = prefix.getLong(0);
        // Compared as signed, a u64 above 2^63 is negative and so also fails this check.
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw new WeightFileException(file, "header length " + Long.toUnsignedString(headerLength)
                    + " is outside [0, " + MAX_HEADER_BYTES + "]");
        }
        if (headerLength > fileSize - LENGTH_PREFIX_BYTES) {
            throw new WeightFileException(file, "header length " + headerLength + " runs past the end of the "
                    + fileSize + "-byte file");
        }
        return headerLength;
    }

    private static SafeTensorsHeader readHeader(Path file, FileChannel channel, long headerLength)
            throws IOException {
        ByteBuffer json = ByteBuffer.allocate((int) headerLength);
        readFully(file, channel, json, LENGTH_PREFIX_BYTES);
        long dataSectionBytes = channel.size() - LENGTH_PREFIX_BYTES - headerLength;
        return SafeTensorsHeader.parse(file, json.array(), dataSectionBytes);
    }

    private static INDArray readTensor(Path file, FileChannel channel, long dataStart, SafeTensorsHeader.Entry entry)
            throws IOException {
        return switch (entry.dtype()) {
            case F64 -> readDoubles(file, channel, dataStart, entry);
            case F32 -> readFloats(file, channel, dataStart, entry);
            case F16 -> readWidened(file, channel, dataStart, entry, SafeTensorsDtype::halfToFloat);
            case BF16 -> readWidened(file, channel, dataStart, entry, SafeTensorsDtype::bfloat16ToFloat);
        };
    }

    // The header check guarantees that every element count fits an array.

    private static INDArray readDoubles(Path file, FileChannel channel, long dataStart, SafeTensorsHeader.Entry entry)
            throws IOException {
        double[] values = new double[(int) entry.elementCount()];
        readData(file, channel, dataStart, entry,
                (chunk, first) -> chunk.asDoubleBuffer().get(values, first, chunk.remaining() / Double.BYTES));
        return Nd4j.create(values, entry.shape(), 'c');
    }

    private static INDArray readFloats(Path file, FileChannel channel, long dataStart, SafeTensorsHeader.Entry entry)
            throws IOException {
        float[] values = new float[(int) entry.elementCount()];
        readData(file, channel, dataStart, entry,
                (chunk, first) -> chunk.asFloatBuffer().get(values, first, chunk.remaining() / Float.BYTES));
        return Nd4j.create(values, entry.shape(), 'c');
    }

    /** A 16-bit float type, which ND4J arrays store as FLOAT. */
    private static INDArray readWidened(Path file, FileChannel channel, long dataStart, SafeTensorsHeader.Entry entry,
                                        ShortToFloat widen) throws IOException {
        float[] values = new float[(int) entry.elementCount()];
        readData(file, channel, dataStart, entry, (chunk, first) -> {
            ShortBuffer halves = chunk.asShortBuffer();
            for (int i = 0; i < halves.remaining(); i++) {
                values[first + i] = widen.apply(halves.get(i));
            }
        });
        return Nd4j.create(values, entry.shape(), 'c');
    }

    /** Hands the tensor's bytes to {@code decoder} chunk by chunk, as little-endian buffers. */
    private static void readData(Path file, FileChannel channel, long dataStart, SafeTensorsHeader.Entry entry,
                                 ChunkDecoder decoder) throws IOException {
        long length = entry.byteLength();
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, length)).order(ByteOrder.LITTLE_ENDIAN);
        for (long done = 0; done < length; done += chunk.limit()) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), length - done));
            readFully(file, channel, chunk, dataStart + entry.begin() + done);
            chunk.flip();
            decoder.decode(chunk, (int) (done / entry.dtype().byteSize));
        }
    }

    private static void readFully(Path file, FileChannel channel, ByteBuffer buffer, long position)
            throws IOException {
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position);
            if (read < 0) {
                // Sizes were checked against the file size, so only a file that shrank while we read gets here.
                throw new WeightFileException(file, "file ended at byte " + position + " while reading it");
            }
            position += read;
        }
    }

    /** The header entry of a tensor whose data starts at {@code offset}; rejects what we cannot write. */
    private static SafeTensorsHeader.Entry entryFor(Path file, String name, INDArray array, long offset)
            throws WeightFileException {
        if (name.equals(SafeTensorsHeader.METADATA_KEY)) {
            throw new WeightFileException(file, "'" + name + "' is reserved for metadata and cannot name a tensor");
        }
        SafeTensorsDtype dtype = switch (array.dataType()) {
            case FLOAT -> SafeTensorsDtype.F32;
            case DOUBLE -> SafeTensorsDtype.F64;
            default -> throw new WeightFileException(file, "tensor '" + name + "' has data type "
                    + array.dataType() + "; only FLOAT and DOUBLE arrays can be written");
        };
        long end = offset + array.length() * dtype.byteSize;
        return new SafeTensorsHeader.Entry(name, dtype, array.shape(), array.length(), offset, end);
    }

    private static void writeData(FileChannel channel, INDArray array) throws IOException {
        // An empty array has no data buffer at all.
        if (array.isEmpty()) {
            return;
        }
        // Views and 'f'-ordered arrays do not hold their elements in C order in their buffer; a 'c' copy does.
        INDArray contiguous = array.dup('c');
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        if (array.dataType() == DataType.DOUBLE) {
            double[] values = contiguous.data().asDouble();
            for (int first = 0; first < values.length; first += CHUNK_BYTES / Double.BYTES) {
                int count = Math.min(CHUNK_BYTES / Double.BYTES, values.length - first);
                chunk.clear().asDoubleBuffer().put(values, first, count);
                writeFully(channel, chunk.limit(count * Double.BYTES));
            }
        } else {
            float[] values = contiguous.data().asFloat();
            for (int first = 0; first < values.length; first += CHUNK_BYTES / Float.BYTES) {
                int count = Math.min(CHUNK_BYTES / Float.BYTES, values.length - first);
                chunk.clear().asFloatBuffer().put(values, first, count);
                writeFully(channel, chunk.limit(count * Float.BYTES));
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    @FunctionalInterface
    private interface ChunkDecoder {
        /** Decodes all of {@code chunk}, whose first element is element {@code first} of the tensor. */
        void decode(ByteBuffer chunk, int first);
    }

    @FunctionalInterface
    private interface ShortToFloat {
        float apply(short bits);
    }
}
