package org.convnext4j.train.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a resumed run may change in its recipe, as each key's {@link RecipeKey#onResume()} says. The keys in
 * {@link #FIXED} make the saved network or the position within its epoch mean something else (the
 * architecture and input, the frozen stages, the data's order and batching), so a change is refused;
 * every other key (the optimizer, the schedule, augmentation, EMA, workers, checkpoint and log cadence, …)
 * is applied for real.
 *
 * @param changed the keys that differ, as {@code key: saved -> now} in recipe order
 */
public record RecipeChanges(List<String> changed) {

    /** Keys a resumed run cannot change; each is named when it differs. */
    public static final Set<String> FIXED = paths(RecipeKey.OnResume.REFUSED);

    /** Keys that only matter to a fresh run: a resumed one starts from its checkpoint. */
    private static final Set<String> IGNORED = paths(RecipeKey.OnResume.IGNORED);

    /**
     * The differences between a checkpoint's recipe and the recipe a run resumes with.
     *
     * @throws ConfigException naming the first fixed key that differs
     */
    public static RecipeChanges between(Recipe saved, Recipe now, String checkpoint) {
        Map<String, Object> before = RecipeLoader.flatten(saved);
        Map<String, Object> after = RecipeLoader.flatten(now);
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, Object> entry : before.entrySet()) {
            String key = entry.getKey();
            Object value = after.get(key);
            if (Objects.equals(entry.getValue(), value) || IGNORED.contains(key)) {
                continue;
            }
            if (FIXED.contains(key)) {
                throw new ConfigException(checkpoint + ": " + key + " was " + entry.getValue() + " and the recipe now says " + value
                        + "; a resumed run keeps its model, data and batching (train afresh into another --output instead)");
            }
            changed.add(key + ": " + entry.getValue() + " -> " + value);
        }
        return new RecipeChanges(List.copyOf(changed));
    }

    /** For tests and logs: the keys only. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>();
        changed.forEach(c -> keys.add(c.substring(0, c.indexOf(':'))));
        return keys;
    }

    private static Set<String> paths(RecipeKey.OnResume onResume) {
        return RecipeKeys.ALL.stream().filter(key -> key.onResume() == onResume).map(RecipeKey::path)
                .collect(Collectors.toUnmodifiableSet());
    }

    static Map<String, Object> flatten(String prefix, Map<?, ?> tree, Map<String, Object> into) {
        tree.forEach((key, value) -> {
            String path = prefix.isEmpty() ? String.valueOf(key) : prefix + "." + key;
            if (value instanceof Map<?, ?> section) {
                flatten(path, section, into);
            } else {
                into.put(path, value);
            }
        });
        return into;
    }

    static Map<String, Object> flatten(Map<?, ?> tree) {
        return flatten("", tree, new LinkedHashMap<>());
    }
}
