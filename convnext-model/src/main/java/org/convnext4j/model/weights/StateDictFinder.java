package org.convnext4j.model.weights;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the state dict (parameter name to tensor) inside an unpickled checkpoint: the checkpoint itself, as
 * torchvision publishes them, or the first of {@link #WRAPPER_KEYS} that holds one, as training scripts save them
 * next to an optimizer state, an epoch and their arguments.
 */
final class StateDictFinder {

    /** In order of preference: the weights trained, then the EMA copy, then DataParallel-style wrappers. */
    static final List<String> WRAPPER_KEYS = List.of("model", "state_dict", "model_ema", "module");

    /** Wrappers (DataParallel, timm's EMA, Lightning) prefix every name with one of these. */
    private static final List<String> WRAPPER_PREFIXES = List.of("module.", "model.");

    /** Messages list at most this many top-level keys. */
    private static final int MAX_LISTED_KEYS = 20;

    /**
     * The floating-point tensors of the state dict, in its order, named without a wrapper prefix.
     *
     * @param description one line saying which dict was taken and what was left out of it, e.g.
     *                    "state dict under 'model' (182 tensors)"
     */
    record Found(Map<String, TorchTensor> tensors, String description) {
    }

    private StateDictFinder() {
    }

    /**
     * The state dict of {@code checkpoint}.
     *
     * @param key the top-level key to take it from, or null to search the usual places
     */
    static Found find(Path file, Object checkpoint, String key) throws WeightFileException {
        if (key != null) {
            if (!(checkpoint instanceof Map<?, ?> top)) {
                throw new WeightFileException(file, "no key '" + key + "': the checkpoint is "
                        + SafeUnpickler.describe(checkpoint) + ", not a dict");
            }
            if (!top.containsKey(key)) {
                throw new WeightFileException(file, "no key '" + key + "'; top-level keys: " + keys(top));
            }
            String problem = problem(top.get(key));
            if (problem != null) {
                throw new WeightFileException(file, "'" + key + "' is not a state dict: it " + problem);
            }
            return found(top.get(key), "state dict under '" + key + "'");
        }
        if (problem(checkpoint) == null) {
            return found(checkpoint, "top-level state dict");
        }
        if (!(checkpoint instanceof Map<?, ?> top)) {
            throw new WeightFileException(file, "no state dict: the checkpoint is "
                    + SafeUnpickler.describe(checkpoint) + ", not a dict of tensors");
        }
        List<String> rejected = new ArrayList<>();
        for (String wrapper : WRAPPER_KEYS) {
            if (top.containsKey(wrapper)) {
                String problem = problem(top.get(wrapper));
                if (problem == null) {
                    return found(top.get(wrapper), "state dict under '" + wrapper + "'");
                }
                rejected.add("'" + wrapper + "' " + problem);
            }
        }
        throw new WeightFileException(file, "no state dict (a dict of tensors) at the top level or under "
                + String.join(", ", WRAPPER_KEYS.stream().map(k -> "'" + k + "'").toList()) + "; top-level keys: "
                + keys(top) + (rejected.isEmpty() ? "" : "; " + String.join("; ", rejected))
                + " (pick another with a key)");
    }

    /** Why {@code value} is not a state dict, or null if it is one: string keys, tensor values, a float among them. */
    private static String problem(Object value) {
        if (!(value instanceof Map<?, ?> dict)) {
            return "is " + SafeUnpickler.describe(value);
        }
        boolean anyFloat = false;
        for (Map.Entry<?, ?> entry : dict.entrySet()) {
            if (!(entry.getKey() instanceof String name)) {
                return "has a key that is " + SafeUnpickler.describe(entry.getKey());
            }
            if (!(entry.getValue() instanceof TorchTensor tensor)) {
                return "holds " + SafeUnpickler.describe(entry.getValue()) + " under '"
                        + SafeUnpickler.abbreviate(name) + "'";
            }
            anyFloat |= tensor.storage().dtype().isFloat;
        }
        return anyFloat ? null : "holds no floating-point tensor";
    }

    /** {@code dict} has passed {@link #problem}. */
    private static Found found(Object dict, String where) {
        Map<String, TorchTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) dict).entrySet()) {
            tensors.put((String) entry.getKey(), (TorchTensor) entry.getValue());
        }
        List<String> removed = new ArrayList<>();
        for (String prefix : WRAPPER_PREFIXES) {
            if (tensors.keySet().stream().allMatch(name -> name.startsWith(prefix))) {
                Map<String, TorchTensor> bare = new LinkedHashMap<>();
                tensors.forEach((name, tensor) -> bare.put(name.substring(prefix.length()), tensor));
                tensors = bare;
                removed.add("'" + prefix + "'");
            }
        }
        Map<String, TorchTensor> floats = new LinkedHashMap<>();
        List<String> leftOut = new ArrayList<>();
        tensors.forEach((name, tensor) -> {
            if (tensor.storage().dtype().isFloat) {
                floats.put(name, tensor);
            } else {
                leftOut.add(name);
            }
        });
        StringBuilder description = new StringBuilder(where).append(" (").append(floats.size())
                .append(floats.size() == 1 ? " tensor" : " tensors");
        if (!removed.isEmpty()) {
            description.append(", prefix ").append(String.join(" and ", removed)).append(" removed");
        }
        if (!leftOut.isEmpty()) {
            TorchTensor first = tensors.get(leftOut.get(0));
            description.append("; left out ").append(leftOut.size()).append(" non-float tensor")
                    .append(leftOut.size() == 1 ? "" : "s").append(", e.g. '")
                    .append(SafeUnpickler.abbreviate(leftOut.get(0))).append("' (")
                    .append(first.storage().dtype()).append(")");
        }
        return new Found(floats, description.append(")").toString());
    }

    private static String keys(Map<?, ?> dict) {
        List<String> names = new ArrayList<>();
        for (Object key : dict.keySet()) {
            if (names.size() == MAX_LISTED_KEYS) {
                names.add("... (" + dict.size() + " in all)");
                break;
            }
            names.add(key instanceof String name ? "'" + SafeUnpickler.abbreviate(name) + "'"
                    : SafeUnpickler.describe(key));
        }
        return "[" + String.join(", ", names) + "]";
    }
}
