package org.convnext4j.model.weights;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A weight file that cannot be used as it is: truncated, malformed or holding something we do not support.
 * The message is one line that starts with the file, so it can be shown to a user unchanged.
 */
public class WeightFileException extends IOException {

    public WeightFileException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public WeightFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
