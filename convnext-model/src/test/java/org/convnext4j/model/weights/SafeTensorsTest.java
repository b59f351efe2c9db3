package org.convnext4j.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class SafeTensorsTest {

    @TempDir
    Path dir;

    // ---- round trip ----

    @Test
    void roundTripKeepsOrderShapesValuesTypesAndMetadata() throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("scalar", Nd4j.create(new float[] {3.5f}, new long[0], 'c'));
        tensors.put("stem.0.weight", Nd4j.rand(DataType.FLOAT, 4, 3, 2, 2));
        tensors.put("stem.0.bias", Nd4j.create(new float[] {-1f, 0f, 1e-7f, Float.MAX_VALUE}, new long[] {4}, 'c'));
        tensors.put("head.fc.weight", Nd4j.rand(DataType.DOUBLE, 5, 3));
        tensors.put("empty", Nd4j.create(new float[0], new long[] {0, 3}, 'c'));
        tensors.put("double.scalar", Nd4j.create(new double[] {Math.PI}, new long[0], 'c'));
        // Several megabytes each, so data crosses the reader's and writer's 1 MiB chunk boundaries.
        tensors.put("big.float", Nd4j.rand(DataType.FLOAT, 700, 1000));
        tensors.put("big.double", Nd4j.rand(DataType.DOUBLE, 300, 1000));
        Map<String, String> metadata = Map.of("format", "pt", "arch", "convnext_tiny");
        Path file = dir.resolve("model.safetensors");

        SafeTensors.write(file, tensors, metadata);
        Map<String, INDArray> read = SafeTensors.read(file);

        assertEquals(List.copyOf(tensors.keySet()), List.copyOf(read.keySet()));
        for (String name : tensors.keySet()) {
            assertSameTensor(name, tensors.get(name), read.get(name));
        }
        assertEquals(metadata, SafeTensors.readMetadata(file));
        assertEquals(List.of(file), listDir(), "no temporary file is left behind");
    }

    @Test
    void writesViewsAndFortranOrderedArraysInCOrder() throws IOException {
        INDArray matrix = Nd4j.create(new float[] {1, 2, 3, 4, 5, 6}, new long[] {2, 3}, 'c');
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("fortran", matrix.dup('f'));
        tensors.put("view", matrix.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3)));
        Path file = dir.resolve("views.safetensors");

        SafeTensors.write(file, tensors, Map.of());
        Map<String, INDArray> read = SafeTensors.read(file);

        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, read.get("fortran").data().asFloat());
        assertArrayEquals(new long[] {2, 2}, read.get("view").shape());
        assertArrayEquals(new float[] {2, 3, 5, 6}, read.get("view").data().asFloat());
    }

    @Test
    void metadataIsEmptyWhenAbsent() throws IOException {
        Path file = dir.resolve("plain.safetensors");
        SafeTensors.write(file, Map.of("w", Nd4j.ones(DataType.FLOAT, 2)), Map.of());
        assertEquals(Map.of(), SafeTensors.readMetadata(file));
    }

    // ---- the reference format, byte by byte ----

    @Test
    void readsHandBuiltFileWithEveryDtype() throws IOException {
        // Header order differs from data order on purpose: read must follow the header.
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"half\":{\"dtype\":\"F16\",\"shape\":[2,4],\"data_offsets\":[36,52]},"
                + "\"brain\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[52,60]},"
                + "\"single\":{\"dtype\":\"F32\",\"shape\":[1,3],\"data_offsets\":[0,12]},"
                + "\"double\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[12,36]}}";
        ByteBuffer data = ByteBuffer.allocate(60).order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(1.5f).putFloat(-2f).putFloat(0.1f);
        data.putDouble(Math.E).putDouble(-0.0).putDouble(1e300);
        // 1, -2, 0x3555 (nearest half to 1/3), largest half, smallest subnormal, +inf, -0, 0.5
        for (int half : new int[] {0x3c00, 0xc000, 0x3555, 0x7bff, 0x0001, 0x7c00, 0x8000, 0x3800}) {
            data.putShort((short) half);
        }
        // 1, -3, 3.140625 (pi truncated to bfloat16), 0
        for (int brain : new int[] {0x3f80, 0xc040, 0x4049, 0x0000}) {
            data.putShort((short) brain);
        }
        Path file = dir.resolve("reference.safetensors");
        Files.write(file, fileBytes(header, data.array()));

        Map<String, INDArray> read = SafeTensors.read(file);

        assertEquals(List.of("half", "brain", "single", "double"), List.copyOf(read.keySet()));
        assertEquals(DataType.FLOAT, read.get("single").dataType());
        assertArrayEquals(new long[] {1, 3}, read.get("single").shape());
        assertArrayEquals(new float[] {1.5f, -2f, 0.1f}, read.get("single").data().asFloat());
        assertEquals(DataType.DOUBLE, read.get("double").dataType());
        assertArrayEquals(new double[] {Math.E, -0.0, 1e300}, read.get("double").data().asDouble());
        assertEquals(DataType.FLOAT, read.get("half").dataType());
        assertArrayEquals(new long[] {2, 4}, read.get("half").shape());
        assertArrayEquals(new float[] {1f, -2f, 0.333251953125f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY, -0f, 0.5f},
                read.get("half").data().asFloat());
        assertEquals(DataType.FLOAT, read.get("brain").dataType());
        assertArrayEquals(new float[] {1f, -3f, 3.140625f, 0f}, read.get("brain").data().asFloat());
        assertEquals(Map.of("format", "pt"), SafeTensors.readMetadata(file));
    }

    @Test
    void widensHalfPrecisionAcrossChunkBoundaries() throws IOException {
        int count = 600_000;
        ByteBuffer data = ByteBuffer.allocate(count * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            // Integers below 256 are exact in bfloat16, whose bits are the top half of the float's.
            data.putShort((short) (Float.floatToIntBits(i % 256) >>> 16));
        }
        Path file = dir.resolve("big.safetensors");
        Files.write(file, fileBytes("{\"w\":{\"dtype\":\"BF16\",\"shape\":[" + count + "],\"data_offsets\":[0,"
                + count * 2 + "]}}", data.array()));

        float[] values = SafeTensors.read(file).get("w").data().asFloat();

        for (int i = 0; i < count; i++) {
            assertEquals(i % 256, values[i], "element " + i);
        }
    }

    @Test
    void writerPadsHeaderWithSpacesAndPacksDataLittleEndian() throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("a", Nd4j.create(new float[] {1f, -2f, 3f}, new long[] {3}, 'c'));
        tensors.put("b", Nd4j.create(new double[] {0.25}, new long[] {1, 1}, 'c'));
        Path file = dir.resolve("layout.safetensors");

        SafeTensors.write(file, tensors, Map.of("k", "v"));
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);

        long headerLength = bytes.getLong(0);
        assertEquals(0, headerLength % 8, "data section starts 8-byte aligned");
        assertEquals(8 + headerLength + 3 * 4 + 8, bytes.capacity());
        String header = new String(bytes.array(), 8, (int) headerLength, StandardCharsets.UTF_8);
        String json = header.stripTrailing();
        assertTrue(json.endsWith("}"));
        assertTrue(headerLength - json.length() < 8, "at most 7 bytes of padding");
        assertEquals("{\"__metadata__\":{\"k\":\"v\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                + "\"b\":{\"dtype\":\"F64\",\"shape\":[1,1],\"data_offsets\":[12,20]}}", json);
        int dataStart = 8 + (int) headerLength;
        assertEquals(1f, bytes.getFloat(dataStart));
        assertEquals(-2f, bytes.getFloat(dataStart + 4));
        assertEquals(3f, bytes.getFloat(dataStart + 8));
        assertEquals(0.25, bytes.getDouble(dataStart + 12));
    }

    // ---- hostile and truncated files ----

    @Test
    void rejectsFileShorterThanLengthPrefix() throws IOException {
        assertRejected(new byte[5], "5 bytes");
    }

    @Test
    void rejectsHeaderLengthThatIsNegativeAsSigned() throws IOException {
        assertRejected(prefixOnly(-1L, 64), "header length 18446744073709551615");
    }

    @Test
    void rejectsHeaderLengthOver100MiB() throws IOException {
        assertRejected(prefixOnly(200L << 20, 64), "header length 209715200");
    }

    @Test
    void rejectsHeaderLengthBeyondFile() throws IOException {
        assertRejected(prefixOnly(1000, 64), "header length 1000", "72-byte file");
    }

    @Test
    void rejectsHeaderThatIsNotUtf8() throws IOException {
        byte[] json = {'{', '"', (byte) 0xc3, (byte) 0x28, '"', ':', '1', '}'};
        ByteBuffer file = ByteBuffer.allocate(8 + json.length).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(json.length).put(json);
        assertRejected(file.array(), "UTF-8");
    }

    @Test
    void rejectsHeaderThatIsNotJson() throws IOException {
        assertRejected(fileBytes("{\"w\": {\"dtype\": ", new byte[0]), "not valid JSON");
    }

    @Test
    void rejectsTrailingGarbageAfterHeaderObject() throws IOException {
        assertRejected(fileBytes("{} {}", new byte[0]), "not valid JSON");
    }

    @Test
    void rejectsHeaderThatIsNotAnObject() throws IOException {
        assertRejected(fileBytes("[1, 2]", new byte[0]), "header must be a JSON object, found a JSON array");
    }

    @Test
    void rejectsDeeplyNestedArrays() throws IOException {
        String nested = "[".repeat(200_000) + "]".repeat(200_000);
        assertRejected(fileBytes("{\"w\": " + nested + "}", new byte[0]), "header nests deeper than 64 levels");
    }

    @Test
    void rejectsDeeplyNestedObjects() throws IOException {
        String nested = "{\"a\":".repeat(200_000) + "1" + "}".repeat(200_000);
        assertRejected(fileBytes("{\"w\": " + nested + "}", new byte[0]), "header nests deeper than 64 levels");
    }

    @Test
    void rejectsDuplicateTensorNames() throws IOException {
        String entry = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        assertRejected(fileBytes("{\"w\":" + entry + ",\"w\":" + entry + "}", new byte[4]), "Duplicate", "'w'");
    }

    @Test
    void rejectsEntryThatIsNotAnObject() throws IOException {
        assertRejected(fileBytes("{\"w\": \"F32\"}", new byte[0]), "tensor 'w' must be a JSON object");
    }

    @Test
    void rejectsEntryWithoutDtype() throws IOException {
        assertRejected(fileBytes("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor 'w' has no 'dtype' field");
    }

    @Test
    void rejectsEntryWithoutShape() throws IOException {
        assertRejected(fileBytes("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor 'w' has no 'shape' field");
    }

    @Test
    void rejectsEntryWithoutDataOffsets() throws IOException {
        assertRejected(fileBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]),
                "tensor 'w' has no 'data_offsets' field");
    }

    @Test
    void rejectsDtypeThatIsNotAString() throws IOException {
        assertRejected(entryFile("7", "[1]", "[0,4]", 4), "tensor 'w' dtype must be a string", "7");
    }

    @Test
    void rejectsUnsupportedDtype() throws IOException {
        assertRejected(entryFile("\"I64\"", "[1]", "[0,8]", 8), "tensor 'w' has dtype \"I64\"", "F32");
    }

    @Test
    void rejectsShapeThatIsNotAnArray() throws IOException {
        assertRejected(entryFile("\"F32\"", "4", "[0,16]", 16), "tensor 'w' shape must be a JSON array");
    }

    @Test
    void rejectsNegativeDimension() throws IOException {
        assertRejected(entryFile("\"F32\"", "[2,-3]", "[0,24]", 24), "tensor 'w' shape dimension 1 is -3");
    }

    @Test
    void rejectsShapeWithTooManyDimensions() throws IOException {
        String shape = "[" + "1,".repeat(32) + "1]";
        assertRejected(entryFile("\"F32\"", shape, "[0,4]", 4), "tensor 'w' shape has 33 dimensions");
    }

    @Test
    void rejectsFractionalDimension() throws IOException {
        assertRejected(entryFile("\"F32\"", "[2.5]", "[0,10]", 10), "tensor 'w' shape dimension 0 is 2.5");
    }

    @Test
    void rejectsElementCountOverflow() throws IOException {
        assertRejected(entryFile("\"F32\"", "[4294967296,4294967296]", "[0,4]", 4),
                "tensor 'w' shape [4294967296, 4294967296] overflows");
    }

    @Test
    void rejectsByteCountOverflow() throws IOException {
        assertRejected(entryFile("\"F64\"", "[2305843009213693952]", "[0,8]", 8), "tensor 'w'", "overflows");
    }

    @Test
    void rejectsDataOffsetsThatAreNotTwoIntegers() throws IOException {
        assertRejected(entryFile("\"F32\"", "[1]", "[0,4,8]", 8),
                "tensor 'w' data_offsets must be [begin, end], found a JSON array of 3 elements");
    }

    @Test
    void rejectsNegativeDataOffset() throws IOException {
        assertRejected(entryFile("\"F32\"", "[1]", "[-4,0]", 8), "tensor 'w' data_offsets begin is -4");
    }

    @Test
    void rejectsDescendingDataOffsets() throws IOException {
        assertRejected(entryFile("\"F32\"", "[1]", "[8,4]", 8), "tensor 'w' data_offsets [8, 4] are descending");
    }

    @Test
    void rejectsDataRangePastEndOfFile() throws IOException {
        assertRejected(entryFile("\"F32\"", "[1000]", "[0,4000]", 3200),
                "tensor 'w' data range [0, 4000) exceeds the 3200-byte data section");
    }

    @Test
    void rejectsByteLengthThatDoesNotMatchShape() throws IOException {
        assertRejected(entryFile("\"F32\"", "[2,2]", "[0,12]", 16),
                "tensor 'w' data range [0, 12) holds 12 bytes but shape [2, 2] of F32 needs 16");
    }

    @Test
    void rejectsTensorTooLargeForOneArray() throws IOException {
        assertRejected(entryFile("\"F32\"", "[2147483648]", "[0,8589934592]", 0), "tensor 'w' has 2147483648 elements");
    }

    @Test
    void rejectsOverlappingTensors() throws IOException {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}";
        assertRejected(fileBytes(header, new byte[24]), "tensors 'a' [0, 16) and 'b' [8, 24) overlap");
    }

    @Test
    void rejectsMetadataThatIsNotAnObject() throws IOException {
        assertRejected(fileBytes("{\"__metadata__\": [\"pt\"]}", new byte[0]), "'__metadata__' must be a JSON object");
    }

    @Test
    void rejectsMetadataValueThatIsNotAString() throws IOException {
        assertRejected(fileBytes("{\"__metadata__\": {\"epoch\": 3}}", new byte[0]),
                "'__metadata__' value of 'epoch' must be a string");
    }

    @Test
    void readMetadataValidatesTheWholeHeader() throws IOException {
        Path file = dir.resolve("hostile.safetensors");
        Files.write(file, entryFile("\"F32\"", "[2,-3]", "[0,24]", 24));
        WeightFileException e = assertThrows(WeightFileException.class, () -> SafeTensors.readMetadata(file));
        assertTrue(e.getMessage().contains("tensor 'w'"), e.getMessage());
    }

    // ---- atomic write ----

    @Test
    void unsupportedDtypeLeavesExistingFileUntouched() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, Map.of("w", Nd4j.ones(DataType.FLOAT, 3)), Map.of("version", "1"));
        byte[] before = Files.readAllBytes(file);
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("ok", Nd4j.ones(DataType.FLOAT, 3));
        tensors.put("counts", Nd4j.ones(DataType.INT, 3));

        WeightFileException e = assertThrows(WeightFileException.class,
                () -> SafeTensors.write(file, tensors, Map.of()));

        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("tensor 'counts'")
                && e.getMessage().contains("INT"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of(file), listDir());
    }

    @Test
    void failureWhileWritingDataLeavesExistingFileUntouched() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, Map.of("w", Nd4j.ones(DataType.FLOAT, 3)), Map.of("version", "1"));
        byte[] before = Files.readAllBytes(file);
        // A closed array still reports its type and shape, so the header and the first tensor are written before
        // reading its data fails.
        INDArray closed = Nd4j.rand(DataType.FLOAT, 64, 64);
        closed.close();
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("a", Nd4j.rand(DataType.FLOAT, 64, 64));
        tensors.put("b", closed);

        assertThrows(RuntimeException.class, () -> SafeTensors.write(file, tensors, Map.of("version", "2")));

        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of(file), listDir());
    }

    @Test
    void failingTensorMapLeavesExistingFileUntouched() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, Map.of("w", Nd4j.ones(DataType.FLOAT, 3)), Map.of("version", "1"));
        byte[] before = Files.readAllBytes(file);
        Map<String, INDArray> failing = new AbstractMap<>() {
            @Override
            public Set<Entry<String, INDArray>> entrySet() {
                throw new IllegalStateException("simulated failure");
            }
        };

        assertThrows(IllegalStateException.class, () -> SafeTensors.write(file, failing, Map.of()));

        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of(file), listDir());
    }

    @Test
    void refusesToWriteTensorNamedLikeMetadata() {
        Path file = dir.resolve("model.safetensors");
        WeightFileException e = assertThrows(WeightFileException.class,
                () -> SafeTensors.write(file, Map.of("__metadata__", Nd4j.ones(DataType.FLOAT, 1)), Map.of()));
        assertTrue(e.getMessage().contains("'__metadata__' is reserved"), e.getMessage());
    }

    @Test
    void overwriteReplacesExistingFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, Map.of("old", Nd4j.ones(DataType.FLOAT, 3)), Map.of());
        SafeTensors.write(file, Map.of("new", Nd4j.zeros(DataType.DOUBLE, 2)), Map.of());
        assertEquals(Set.of("new"), SafeTensors.read(file).keySet());
        assertEquals(List.of(file), listDir());
    }

    // ---- helpers ----

    private static void assertSameTensor(String name, INDArray expected, INDArray actual) {
        assertEquals(expected.dataType(), actual.dataType(), name);
        assertArrayEquals(expected.shape(), actual.shape(), name);
        if (expected.isEmpty()) {
            assertTrue(actual.isEmpty(), name);
        } else if (expected.dataType() == DataType.DOUBLE) {
            assertArrayEquals(expected.dup('c').data().asDouble(), actual.dup('c').data().asDouble(), name);
        } else {
            assertArrayEquals(expected.dup('c').data().asFloat(), actual.dup('c').data().asFloat(), name);
        }
    }

    /** Writes {@code bytes} as hostile.safetensors and checks read names the file and each fragment. */
    private void assertRejected(byte[] bytes, String... fragments) throws IOException {
        Path file = dir.resolve("hostile.safetensors");
        Files.write(file, bytes);
        assertRejectedFile(file, fragments);
    }

    private static void assertRejectedFile(Path file, String... fragments) {
        WeightFileException e = assertThrows(WeightFileException.class, () -> SafeTensors.read(file));
        String message = e.getMessage();
        assertTrue(message.contains("hostile.safetensors"), message);
        assertTrue(message.lines().count() == 1, "one line: " + message);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), "expected '" + fragment + "' in: " + message);
        }
    }

    /** A file holding one tensor 'w' with the given raw JSON field values and {@code dataBytes} zero bytes. */
    private static byte[] entryFile(String dtype, String shape, String offsets, int dataBytes) {
        String header = "{\"w\":{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}";
        return fileBytes(header, new byte[dataBytes]);
    }

    private static byte[] fileBytes(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length).put(json).put(data).array();
    }

    /** A length prefix claiming {@code headerLength}, followed by {@code padding} zero bytes. */
    private static byte[] prefixOnly(long headerLength, int padding) {
        return ByteBuffer.allocate(8 + padding).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength).array();
    }

    private List<Path> listDir() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
