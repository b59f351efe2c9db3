package org.convnext4j.train.config;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

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

    /** The key's value: its default where the recipe leaves it out, else the recipe's, checked against the key. */
    <T> T read(RecipeKey<T> key) {
        return read(key, key.defaultValue());
    }

    /** As {@link #read(RecipeKey)}, with a default that depends on other keys (the output folder on the variant). */
    <T> T read(RecipeKey<T> key, T fallback) {
        String name = key.name();
        if (values.containsKey(name) && values.get(name) == null && fallback != null) {
            // an explicit null where the key has a default would otherwise silently become that default
            throw error(name, "null", key.type().expected().apply(null) + " (leave the key out for its default, " + fallback + ")");
        }
        Object raw = take(name);
        if (raw == null) {
            return fallback != null ? fallback : check(key, null);
        }
        T value = key.type().convert().apply(raw);
        if (value == null) {
            throw error(name, raw, key.type().expected().apply(raw));
        }
        return check(key, value);
    }

    private <T> T check(RecipeKey<T> key, T value) {
        try {
            return key.check(value);
        } catch (ConfigException e) {
            throw new ConfigException(source + ": " + e.getMessage());
        }
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

    private String keyPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private ConfigException error(String key, Object value, String expected) {
        return new ConfigException(source + ": " + keyPath(key) + " is " + value + ", expected " + expected);
    }
}
