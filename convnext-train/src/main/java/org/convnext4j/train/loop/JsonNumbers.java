package org.convnext4j.train.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Numbers in the JSON we write (metrics, evaluations, predictions): a value that is not finite, such
 * as the accuracy of a class without validation samples, is written as {@code null}, not as Jackson's
 * default string {@code "NaN"}, so that a reader (pandas, jq, Python's json) finds a number or nothing
 * in a numeric field; reading turns {@code null} back into NaN.
 */
public final class JsonNumbers {

    private JsonNumbers() {
    }

    /** Puts {@code value} under {@code key}, or {@code null} where it is NaN or infinite. */
    public static ObjectNode put(ObjectNode node, String key, double value) {
        return Double.isFinite(value) ? node.put(key, value) : node.putNull(key);
    }

    /** The number under {@code key}; NaN where it is {@code null} or absent. */
    public static double read(JsonNode node, String key) {
        JsonNode value = node.path(key);
        return value.isNumber() ? value.asDouble() : Double.NaN;
    }
}
