package org.convnext4j.train.config;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;

import org.convnext4j.model.optim.LayerDecay;

/**
 * One recipe key, defined once: where it sits, its type, its default, the values it accepts, what it means
 * and what a resumed run does with a change. {@link RecipeLoader} binds and checks it, {@link RecipeLoader#toYaml}
 * writes it, {@link RecipeChanges} compares it on resume, and the README's recipe reference is generated from it
 * ({@link RecipeKeys#markdownTable()}).
 *
 * @param section      the YAML section ({@code optimizer})
 * @param name         the key within it ({@code lr})
 * @param type         how the YAML value is read and written
 * @param defaultValue what a recipe that leaves the key out gets; null for "none" or a required key
 * @param optional     whether "none" (the key left out, or an explicit {@code null}) is a meaning of its own
 * @param accepts      the values that can be meant (given a non-null value)
 * @param expected     {@code accepts} in words, for the error line and the README
 * @param doc          what the key does, one line
 * @param onResume     what a resumed run does when the recipe changes the key
 * @param value        the key's value in a bound recipe
 */
public record RecipeKey<T>(String section, String name, Type<T> type, T defaultValue, boolean optional,
                           Predicate<T> accepts, String expected, String doc, OnResume onResume, Function<Recipe, T> value) {

    /** What a resumed run does when the recipe changes a key. */
    public enum OnResume {
        /** Refused, naming the key: the key defines the saved network or where the run stands in its epoch. */
        REFUSED,
        /** Ignored: the key only matters to a fresh run. */
        IGNORED,
        /** Applied, and logged. */
        APPLIED
    }

    /**
     * How a key's YAML value becomes a Java value and back.
     *
     * @param label    the type in words, for the README
     * @param convert  the Java value of a parsed YAML scalar or list, or null if it is not of this type
     * @param expected what was expected, given what was found (a NaN is "a number", but not "a finite number")
     * @param write    the YAML value of a Java value
     */
    public record Type<T>(String label, Function<Object, T> convert, Function<Object, String> expected,
                          Function<T, Object> write) {
    }

    public static final Type<String> STRING = new Type<>("string", raw -> raw instanceof String s ? s : null,
            raw -> "a string", s -> s);

    public static final Type<Integer> INTEGER = new Type<>("whole number",
            raw -> (raw instanceof Integer || raw instanceof Long) && ((Number) raw).longValue() == ((Number) raw).intValue()
                    ? ((Number) raw).intValue() : null,
            raw -> "a whole number", i -> i);

    public static final Type<Long> LONG = new Type<>("whole number",
            raw -> raw instanceof Integer || raw instanceof Long ? ((Number) raw).longValue() : null,
            raw -> "a whole number", l -> l);

    public static final Type<Double> NUMBER = new Type<>("number",
            raw -> raw instanceof Number n && Double.isFinite(n.doubleValue()) ? n.doubleValue() : null,
            raw -> raw instanceof Number ? "a finite number" : "a number", d -> d);

    public static final Type<Boolean> BOOLEAN = new Type<>("true/false", raw -> raw instanceof Boolean b ? b : null,
            raw -> "true or false", b -> b);

    /** Two finite numbers, {@code [a, b]}. */
    public static final Type<List<Double>> PAIR = new Type<>("[number, number]", RecipeKey::pair,
            raw -> "a list of 2 finite numbers", list -> list);

    public static final Type<LayerDecay.Scheme> LAYER_DECAY_SCHEME = new Type<>("group or single",
            raw -> List.of(LayerDecay.Scheme.values()).stream().filter(s -> s.yamlName().equals(raw)).findFirst().orElse(null),
            raw -> "group or single", LayerDecay.Scheme::yamlName);

    public RecipeKey {
        if (defaultValue != null && !accepts.test(defaultValue)) {
            throw new IllegalArgumentException(section + "." + name + ": the default " + defaultValue + " is not " + expected);
        }
    }

    /** {@code section.name}, as errors, {@code --set} and the README spell it. */
    public String path() {
        return section + "." + name;
    }

    /** Whether a recipe must give the key: no default, and "none" means nothing. */
    public boolean required() {
        return defaultValue == null && !optional;
    }

    /**
     * Throws a {@link ConfigException} naming the key, the value and what was expected unless the value is one
     * that can be meant; null passes only for an optional key.
     */
    public T check(T value) {
        if (value == null ? !optional : !accepts.test(value)) {
            throw new ConfigException(path() + " is " + value + ", expected " + expected);
        }
        return value;
    }

    /** The key's value in {@code recipe}, as YAML writes it. */
    Object yaml(Recipe recipe) {
        T v = value.apply(recipe);
        return v == null ? null : type.write().apply(v);
    }

    /** The default as the README shows it. */
    String defaultText() {
        if (defaultValue != null) {
            return "`" + formatted(type.write().apply(defaultValue)) + "`";
        }
        return required() ? "required" : "none";
    }

    private static String formatted(Object yaml) {
        if (yaml instanceof String s) {
            return s.isEmpty() ? "\"\"" : s;
        }
        if (yaml instanceof List<?> list) {
            return list.stream().map(RecipeKey::formatted).toList().toString();
        }
        if (yaml instanceof Double d && (Math.abs(d) < 1e-3 && d != 0)) {
            return String.format(Locale.ROOT, "%.0e", d).replace("e-0", "e-");
        }
        return String.valueOf(yaml);
    }

    private static List<Double> pair(Object raw) {
        if (raw instanceof List<?> list && list.size() == 2
                && list.stream().allMatch(v -> v instanceof Number n && Double.isFinite(n.doubleValue()))) {
            return List.of(((Number) list.get(0)).doubleValue(), ((Number) list.get(1)).doubleValue());
        }
        return null;
    }
}
