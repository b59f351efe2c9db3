package org.convnext4j.cli;

import picocli.CommandLine.Option;

/**
 * {@code --batch} for the commands that run a model over images. Each command sets its own default by
 * creating the mixin: the field's value when picocli meets it is the option's default.
 */
final class BatchOptions {

    @Option(names = "--batch", description = "images per forward pass (default ${DEFAULT-VALUE})")
    private int size;

    BatchOptions(int defaultSize) {
        this.size = defaultSize;
    }

    int size() {
        if (size < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, got " + size);
        }
        return size;
    }
}
