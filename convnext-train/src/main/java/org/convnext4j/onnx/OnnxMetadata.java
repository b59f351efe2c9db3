package org.convnext4j.onnx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import org.convnext4j.data.Normalization;
import org.convnext4j.model.io.ModelInfo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What an exported ONNX model carries besides its graph, as the model's {@code metadata_props} (ONNX
 * Runtime's custom metadata), so that it can be used without the model file it came from: the variant,
 * the input size, the class names in index order, the centre crop its training evaluated with (absent
 * where the model file records none) and the normalisation its input needs. Every key starts with
 * {@value #PREFIX}; the values are plain text (the class names a JSON array), readable from any language.
 */
public record OnnxMetadata(String variant, int imageSize, List<String> classNames, OptionalDouble evalCropPct,
                           Normalization normalization) {

    public static final String PREFIX = "convnext4j.";
    static final String VARIANT = PREFIX + "variant";
    static final String IMAGE_SIZE = PREFIX + "image_size";
    static final String CLASS_NAMES = PREFIX + "class_names";
    static final String EVAL_CROP_PCT = PREFIX + "eval_crop_pct";
    static final String MEAN = PREFIX + "mean";
    static final String STD = PREFIX + "std";

    private static final ObjectMapper JSON = new ObjectMapper();

    public OnnxMetadata {
        classNames = List.copyOf(classNames);
        if (classNames.isEmpty()) {
            throw new IllegalArgumentException("no class names");
        }
        if (imageSize < 32) {
            throw new IllegalArgumentException("image size must be at least 32, got " + imageSize);
        }
        if (evalCropPct.isPresent() && !(evalCropPct.getAsDouble() > 0 && evalCropPct.getAsDouble() <= 1)) {
            throw new IllegalArgumentException("eval crop must be in (0, 1], got " + evalCropPct.getAsDouble());
        }
    }

    /** What an export of a model with this info records; every model of ours takes ImageNet-normalised input. */
    public static OnnxMetadata of(ModelInfo info) {
        return new OnnxMetadata(info.variant(), info.imageSize(), info.classNames(), info.evalCropPct(), Normalization.IMAGENET);
    }

    /** The metadata_props entries, in a fixed order. */
    public Map<String, String> properties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(VARIANT, variant);
        properties.put(IMAGE_SIZE, Integer.toString(imageSize));
        try {
            properties.put(CLASS_NAMES, JSON.writeValueAsString(classNames));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a list of strings always serialises", e);
        }
        evalCropPct.ifPresent(crop -> properties.put(EVAL_CROP_PCT, Double.toString(crop)));
        properties.put(MEAN, floats(normalization.mean()));
        properties.put(STD, floats(normalization.std()));
        return properties;
    }

    /**
     * The metadata of {@code file} from its custom metadata; an {@link IOException} naming the file and the key
     * when a key is missing or its value is not what export writes.
     */
    public static OnnxMetadata read(Path file, Map<String, String> properties) throws IOException {
        if (properties.keySet().stream().noneMatch(key -> key.startsWith(PREFIX))) {
            throw new IOException(file + ": an ONNX model without convnext4j's metadata (" + CLASS_NAMES + ", " + IMAGE_SIZE
                    + ", ...); expected a file written by `convnext export --format onnx`");
        }
        try {
            String variant = required(file, properties, VARIANT);
            int imageSize = Integer.parseInt(required(file, properties, IMAGE_SIZE));
            List<String> classNames = JSON.readValue(required(file, properties, CLASS_NAMES), new TypeReference<List<String>>() { });
            if (classNames == null || classNames.contains(null)) {
                throw new IOException(file + ": " + CLASS_NAMES + " is not a JSON array of strings");
            }
            String crop = properties.get(EVAL_CROP_PCT);
            OptionalDouble evalCropPct = crop == null ? OptionalDouble.empty() : OptionalDouble.of(Double.parseDouble(crop));
            String mean = required(file, properties, MEAN);
            String std = required(file, properties, STD);
            Normalization normalization = Arrays.stream(Normalization.values())
                    .filter(n -> floats(n.mean()).equals(mean) && floats(n.std()).equals(std)).findFirst()
                    .orElseThrow(() -> new IOException(file + ": normalises its input with mean " + mean + " and std " + std
                            + "; expected ImageNet's (" + floats(Normalization.IMAGENET.mean()) + " and "
                            + floats(Normalization.IMAGENET.std()) + "), the only one predict's transform applies"));
            return new OnnxMetadata(variant, imageSize, classNames, evalCropPct, normalization);
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": " + CLASS_NAMES + " is not a JSON array of strings", e);
        } catch (IllegalArgumentException e) {
            // NumberFormatException included: a value that does not parse, or one the record refuses
            throw new IOException(file + ": malformed convnext4j metadata (" + e.getMessage() + ")", e);
        }
    }

    private static String required(Path file, Map<String, String> properties, String key) throws IOException {
        String value = properties.get(key);
        if (value == null) {
            throw new IOException(file + ": its convnext4j metadata has no " + key
                    + "; expected a file written by `convnext export --format onnx`");
        }
        return value;
    }

    /** "0.485,0.456,0.406": each float as Java prints it, which parses back to the same float. */
    private static String floats(float[] values) {
        List<String> parts = new ArrayList<>(values.length);
        for (float v : values) {
            parts.add(Float.toString(v));
        }
        return String.join(",", parts);
    }
}
