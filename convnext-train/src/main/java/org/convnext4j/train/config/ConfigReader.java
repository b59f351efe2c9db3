package org.convnext4j.train.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.convnext4j.model.optim.LayerDecay;

/**
 * Reads one section of a parsed recipe (maps, lists and scalars) with the key path at hand, so every
 * type error and every unknown key is reported as {@code file: key.path ...}.
 */
final class ConfigReader {

    private final String source;
    private final String path;
    private final Map<String, Object> values;
    private final Set<String> read = new LinkedHashSet<>();

    ConfigReader(String source, String path, Map<String, Object> values) {
        this.source = source;
        this.path = path;
        this.values = values;
    }

    static ConfigReader root(String source, Map<String, Object> values) {
        return new ConfigReader(source, "", values);
    }

    /** A nested section; absent means every key takes its default. */
    @SuppressWarnings("unchecked")
    ConfigReader section(String key) {
        Object value = take(key);
        if (value == null) {
            return new ConfigReader(source, keyPath(key), Map.of());
        }
        if (!(value instanceof Map)) {
            throw error(key, value, "a section (key: value lines)");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        ((Map<Object, Object>) value).forEach((k, v) -> map.put(String.valueOf(k), v));
        return new ConfigReader(source, keyPath(key), map);
    }

    String string(String key, String fallback) {
        Object value = takeNonNull(key, fallback, "a string");
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof String s)) {
            throw error(key, value, "a string");
        }
        return s;
    }

    /** {@code group} (the default) or {@code single}: how layer decay numbers the layers. */
    LayerDecay.Scheme layerDecayScheme(String key) {
        String name = string(key, LayerDecay.Scheme.GROUP.yamlName());
        for (LayerDecay.Scheme scheme : LayerDecay.Scheme.values()) {
            if (scheme.yamlName().equals(name)) {
                return scheme;
            }
        }
        throw error(key, name, "group or single");
    }

    double number(String key, double fallback) {
        takeNonNull(key, fallback, "a number");
        Double value = optionalNumber(key);
        return value == null ? fallback : value;
    }

    /** A number, or null where the recipe leaves it out or says {@code null} (the key's "none"). */
    Double optionalNumber(String key) {
        Object value = take(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number n)) {
            throw error(key, value, "a number");
        }
        if (!Double.isFinite(n.doubleValue())) {
            throw error(key, value, "a finite number");
        }
        return n.doubleValue();
    }

    int integer(String key, int fallback) {
        takeNonNull(key, fallback, "a whole number");
        Integer value = optionalInteger(key);
        return value == null ? fallback : value;
    }

    Integer optionalInteger(String key) {
        Object value = take(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() != ((Number) value).intValue()) {
            throw error(key, value, "a whole number");
        }
        return ((Number) value).intValue();
    }

    boolean bool(String key, boolean fallback) {
        Object value = takeNonNull(key, fallback, "true or false");
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Boolean b)) {
            throw error(key, value, "true or false");
        }
        return b;
    }

    List<Double> numbers(String key, List<Double> fallback, int size) {
        Object value = takeNonNull(key, fallback, "a list of " + size + " numbers");
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof List<?> list) || list.size() != size
                || !list.stream().allMatch(v -> v instanceof Number n && Double.isFinite(n.doubleValue()))) {
            throw error(key, value, "a list of " + size + " finite numbers");
        }
        List<Double> numbers = new ArrayList<>();
        list.forEach(v -> numbers.add(((Number) v).doubleValue()));
        return List.copyOf(numbers);
    }

    /** Fails on any key of this section that nothing read: a typo must not silently fall back to a default. */
    void finish() {
        for (String key : values.keySet()) {
            if (!read.contains(key)) {
                throw new ConfigException(source + ": unknown key '" + keyPath(key) + "' (known keys here: " + read + ")");
            }
        }
    }

    private Object take(String key) {
        read.add(key);
        return values.get(key);
    }

    /**
     * The value, null when the key is left out; an explicit {@code null} is refused where the key has
     * a default, which it would otherwise silently become.
     */
    private Object takeNonNull(String key, Object fallback, String expected) {
        if (fallback != null && values.containsKey(key) && values.get(key) == null) {
            throw error(key, "null", expected + " (leave the key out for its default, " + fallback + ")");
        }
        return take(key);
    }

    private String keyPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private ConfigException error(String key, Object value, String expected) {
        return new ConfigException(source + ": " + keyPath(key) + " is " + value + ", expected " + expected);
    }
}
