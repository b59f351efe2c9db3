package org.convnext4j.train;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What this build is: its version, the DL4J/ND4J release and the ND4J backend it was packaged with.
 * Maven writes them into a class-path resource at build time, so they can be read without loading
 * ND4J, which fails on a machine where the packaged backend cannot load (a CUDA build without the driver).
 */
public record BuildInfo(String version, String dl4jVersion, String backend, String backendClassifier) {

    static final String RESOURCE = "/convnext4j-build.properties";

    public static BuildInfo load() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path; build with mvn package");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new BuildInfo(built(properties, "version"), built(properties, "dl4j.version"),
                built(properties, "nd4j.backend"), built(properties, "nd4j.backend.classifier"));
    }

    /** One line, e.g. {@code convnext4j 0.1.0, DL4J/ND4J 1.0.0-M2.1, backend nd4j-cuda-11.6 (linux-x86_64)}. */
    public String summary() {
        return "convnext4j " + version + ", DL4J/ND4J " + dl4jVersion + ", backend " + backend
                + " (" + backendClassifier + ")";
    }

    private static String built(Properties properties, String key) {
        String value = properties.getProperty(key);
        // an unfiltered copy (a build that skipped Maven's resource filtering) still holds the ${...} placeholder
        if (value == null || value.isBlank() || value.contains("${")) {
            throw new IllegalStateException(RESOURCE + " has no built value for " + key + " (found '" + value + "')");
        }
        return value;
    }
}
