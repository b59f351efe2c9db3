package org.convnext4j.model.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON header of a safetensors file: one entry per tensor, in header order, plus the string metadata.
 * {@link #parse} trusts nothing in the file; every entry it returns fits the data section and can be loaded
 * into a single Java array.
 */
record SafeTensorsHeader(List<SafeTensorsHeader.Entry> entries, Map<String, String> metadata) {

    static final String METADATA_KEY = "__metadata__";

    /** Java arrays cannot be longer than this on every JVM, and each tensor becomes one array. */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** Real headers nest 3 deep; a JsonNode tree costs far more memory per level than the header's bytes. */
    private static final int MAX_NESTING = 64;

    /** No real weight has more than a handful of dimensions; a huge shape would cost gigabytes of shape arrays. */
    private static final int MAX_RANK = 32;

    /** Messages quote offending JSON values; a hostile file must not turn one into a megabyte of text. */
    private static final int MAX_QUOTED_CHARS = 40;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            // Last-one-wins would silently load a different tensor than a reader that keeps the first.
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** One tensor; {@code begin} and {@code end} are byte offsets into the data section, end exclusive. */
    record Entry(String name, SafeTensorsDtype dtype, long[] shape, long elementCount, long begin, long end) {

        long byteLength() {
            return end - begin;
        }
    }

    static SafeTensorsHeader parse(Path file, byte[] json, long dataSectionBytes) throws IOException {
        JsonNode root = parseJson(file, json);
        Map<String, String> metadata = Map.of();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = root.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = parseMetadata(file, field.getValue());
            } else {
                entries.add(parseEntry(file, field.getKey(), field.getValue(), dataSectionBytes));
            }
        }
        checkNoOverlap(file, entries);
        return new SafeTensorsHeader(List.copyOf(entries), metadata);
    }

    /** The header as written to a file: UTF-8 JSON padded with spaces so the data section starts 8-byte aligned. */
    byte[] encode() throws JsonProcessingException {
        ObjectNode root = MAPPER.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode metadataNode = root.putObject(METADATA_KEY);
            metadata.forEach(metadataNode::put);
        }
        for (Entry entry : entries) {
            ObjectNode node = root.putObject(entry.name());
            node.put("dtype", entry.dtype().name());
            ArrayNode shape = node.putArray("shape");
            for (long dimension : entry.shape()) {
                shape.add(dimension);
            }
            node.putArray("data_offsets").add(entry.begin()).add(entry.end());
        }
        byte[] json = MAPPER.writeValueAsBytes(root);
        byte[] padded = Arrays.copyOf(json, (json.length + 7) / 8 * 8);
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        return padded;
    }

    private static JsonNode parseJson(Path file, byte[] json) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(json)).toString();
        } catch (CharacterCodingException e) {
            throw new WeightFileException(file, "header is not valid UTF-8", e);
        }
        JsonNode root;
        try {
            if (nestsDeeperThan(text, MAX_NESTING)) {
                throw new WeightFileException(file, "header nests deeper than " + MAX_NESTING + " levels");
            }
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new WeightFileException(file, "header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new WeightFileException(file, "header must be a JSON object, found " + describe(root));
        }
        return root;
    }

    /** Streams through the tokens, so it needs no memory per level and stops at the first level too deep. */
    private static boolean nestsDeeperThan(String json, int maxDepth) throws IOException {
        try (JsonParser parser = MAPPER.createParser(json)) {
            int depth = 0;
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token.isStructStart() && ++depth > maxDepth) {
                    return true;
                }
                if (token.isStructEnd()) {
                    depth--;
                }
            }
            return false;
        }
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode node) throws WeightFileException {
        if (!node.isObject()) {
            throw new WeightFileException(file, "'" + METADATA_KEY + "' must be a JSON object of strings, found "
                    + describe(node));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getValue().isTextual()) {
                throw new WeightFileException(file, "'" + METADATA_KEY + "' value of '" + field.getKey()
                        + "' must be a string, found " + describe(field.getValue()));
            }
            metadata.put(field.getKey(), field.getValue().textValue());
        }
        return Collections.unmodifiableMap(metadata);
    }

    private static Entry parseEntry(Path file, String name, JsonNode node, long dataSectionBytes)
            throws WeightFileException {
        String tensor = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw new WeightFileException(file, tensor + " must be a JSON object, found " + describe(node));
        }
        SafeTensorsDtype dtype = parseDtype(file, tensor, required(file, tensor, node, "dtype"));
        long[] shape = parseShape(file, tensor, required(file, tensor, node, "shape"));
        long elementCount = elementCount(file, tensor, shape, dtype);
        if (elementCount > MAX_ELEMENTS) {
            throw new WeightFileException(file, tensor + " has " + elementCount + " elements; at most "
                    + MAX_ELEMENTS + " fit in one Java array");
        }
        JsonNode offsets = required(file, tensor, node, "data_offsets");
        if (!offsets.isArray() || offsets.size() != 2) {
            throw new WeightFileException(file, tensor + " data_offsets must be [begin, end], found "
                    + describe(offsets));
        }
        long begin = offset(file, tensor, offsets, 0, "begin");
        long end = offset(file, tensor, offsets, 1, "end");
        if (begin > end) {
            throw new WeightFileException(file, tensor + " data_offsets [" + begin + ", " + end
                    + "] are descending; expected begin <= end");
        }
        if (end > dataSectionBytes) {
            throw new WeightFileException(file, tensor + " data range [" + begin + ", " + end + ") exceeds the "
                    + dataSectionBytes + "-byte data section");
        }
        long expectedBytes = elementCount * dtype.byteSize;
        if (end - begin != expectedBytes) {
            throw new WeightFileException(file, tensor + " data range [" + begin + ", " + end + ") holds "
                    + (end - begin) + " bytes but shape " + describe(shape) + " of " + dtype + " needs "
                    + expectedBytes);
        }
        return new Entry(name, dtype, shape, elementCount, begin, end);
    }

    private static JsonNode required(Path file, String tensor, JsonNode node, String field)
            throws WeightFileException {
        JsonNode value = node.get(field);
        if (value == null) {
            throw new WeightFileException(file, tensor + " has no '" + field + "' field");
        }
        return value;
    }

    private static long offset(Path file, String tensor, JsonNode offsets, int index, String which)
            throws WeightFileException {
        JsonNode value = offsets.get(index);
        if (!isNonNegativeLong(value)) {
            throw new WeightFileException(file, tensor + " data_offsets " + which + " is " + describe(value)
                    + "; expected a non-negative integer");
        }
        return value.longValue();
    }

    private static SafeTensorsDtype parseDtype(Path file, String tensor, JsonNode node) throws WeightFileException {
        if (!node.isTextual()) {
            throw new WeightFileException(file, tensor + " dtype must be a string, found " + describe(node));
        }
        return SafeTensorsDtype.byName(node.textValue()).orElseThrow(() -> new WeightFileException(file,
                tensor + " has dtype " + describe(node) + "; only " + Arrays.toString(SafeTensorsDtype.values())
                        + " are supported"));
    }

    private static long[] parseShape(Path file, String tensor, JsonNode node) throws WeightFileException {
        if (!node.isArray()) {
            throw new WeightFileException(file, tensor + " shape must be a JSON array, found " + describe(node));
        }
        if (node.size() > MAX_RANK) {
            throw new WeightFileException(file, tensor + " shape has " + node.size() + " dimensions; at most "
                    + MAX_RANK + " are supported");
        }
        long[] shape = new long[node.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode dimension = node.get(i);
            if (!isNonNegativeLong(dimension)) {
                throw new WeightFileException(file, tensor + " shape dimension " + i + " is " + describe(dimension)
                        + "; expected a non-negative integer");
            }
            shape[i] = dimension.longValue();
        }
        return shape;
    }

    /** The number of elements, checked so that the byte count computed from it cannot overflow either. */
    private static long elementCount(Path file, String tensor, long[] shape, SafeTensorsDtype dtype)
            throws WeightFileException {
        try {
            long count = 1;
            for (long dimension : shape) {
                count = Math.multiplyExact(count, dimension);
            }
            Math.multiplyExact(count, dtype.byteSize);
            return count;
        } catch (ArithmeticException e) {
            throw new WeightFileException(file, tensor + " shape " + describe(shape)
                    + " overflows a 64-bit byte count");
        }
    }

    private static void checkNoOverlap(Path file, List<Entry> entries) throws WeightFileException {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        for (int i = 1; i < byOffset.size(); i++) {
            Entry previous = byOffset.get(i - 1);
            Entry current = byOffset.get(i);
            if (current.begin() < previous.end()) {
                throw new WeightFileException(file, "tensors '" + previous.name() + "' [" + previous.begin() + ", "
                        + previous.end() + ") and '" + current.name() + "' [" + current.begin() + ", "
                        + current.end() + ") overlap");
            }
        }
    }

    private static boolean isNonNegativeLong(JsonNode node) {
        return node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0;
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isContainerNode()) {
            // Not printed: a hostile array or object can hold millions of values.
            return node.isArray() ? "a JSON array of " + node.size() + " elements"
                    : "a JSON object of " + node.size() + " fields";
        }
        return abbreviate(node.toString());
    }

    private static String describe(long[] shape) {
        return abbreviate(Arrays.toString(shape));
    }

    private static String abbreviate(String text) {
        return text.length() <= MAX_QUOTED_CHARS ? text : text.substring(0, MAX_QUOTED_CHARS - 3) + "...";
    }
}
