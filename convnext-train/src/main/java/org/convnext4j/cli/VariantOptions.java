package org.convnext4j.cli;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtVariants;

import picocli.CommandLine.Option;

/** The options that name an architecture and its input, shared by the commands that build one from scratch. */
final class VariantOptions {

    @Option(names = "--variant", required = true, description = "variant name, e.g. convnext_tiny")
    String variant;

    @Option(names = "--image-size", defaultValue = "224", description = "input height and width (default ${DEFAULT-VALUE})")
    int imageSize;

    @Option(names = "--num-classes", defaultValue = "1000", description = "classifier outputs (default ${DEFAULT-VALUE})")
    int numClasses;

    ConvNeXtConfig config() {
        if (imageSize < 32) {
            throw new IllegalArgumentException("--image-size must be at least 32 (the network's total stride), got " + imageSize);
        }
        return ConvNeXtVariants.get(variant).withNumClasses(numClasses);
    }
}
