package org.convnext4j.cli;

import picocli.CommandLine.Option;

/** How often the commands that work through a folder of images say how far they are. */
final class ProgressOptions {

    @Option(names = "--progress-interval", defaultValue = "10",
            description = "seconds between progress lines on standard error (default ${DEFAULT-VALUE}; 0: after every batch)")
    double seconds;

    ImageProgress start(String verb, long total) {
        if (!(seconds >= 0)) {
            throw new IllegalArgumentException("--progress-interval must be >= 0 seconds, got " + seconds);
        }
        return ImageProgress.logged(verb, total, seconds);
    }
}
