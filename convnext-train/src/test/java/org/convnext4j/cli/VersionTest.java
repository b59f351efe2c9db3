package org.convnext4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

class VersionTest {

    @Test
    void versionNamesTheBackendOfThisBuild() throws IOException {
        Properties built = resource("/convnext4j-build.properties");
        CliRun run = CliRun.of("--version");

        assertEquals(0, run.exitCode(), run.err());
        assertEquals("convnext4j " + built.getProperty("version") + ", DL4J/ND4J " + built.getProperty("dl4j.version")
                + ", backend " + built.getProperty("nd4j.backend") + " (" + built.getProperty("nd4j.backend.classifier")
                + ")" + System.lineSeparator(), run.out());
    }

    @Test
    void buildPropertiesHoldWhatMavenBuilt() throws IOException {
        Properties built = resource("/convnext4j-build.properties");
        assertEquals(4, built.size(), built.toString());
        built.forEach((key, value) -> assertFalse(value.toString().contains("${"), key + "=" + value));
        // the backend named is the one on the class path, of the DL4J release named
        String backend = built.getProperty("nd4j.backend");
        Properties backendPom = resource("/META-INF/maven/org.nd4j/" + backend + "/pom.properties");
        assertEquals(built.getProperty("dl4j.version"), backendPom.getProperty("version"), backend);
    }

    @Test
    void versionAnswersWhereNoNd4jBackendLoads() throws Exception {
        // surefire hands the test class path to the forked JVM in this property; java.class.path is its booter jar
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String withoutBackend = Arrays.stream(classPath.split(File.pathSeparator))
                .filter(entry -> !new File(entry).getName().matches("nd4j-(native|cuda).*"))
                .collect(Collectors.joining(File.pathSeparator));
        assertTrue(withoutBackend.length() < classPath.length(), "no ND4J backend jar on " + classPath);

        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", withoutBackend, ConvNeXtCli.class.getName(), "--version"));
        Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(java.waitFor(60, TimeUnit.SECONDS), output);

        assertEquals(0, java.exitValue(), output);
        assertTrue(output.startsWith("convnext4j "), output);
    }

    private static Properties resource(String name) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = VersionTest.class.getResourceAsStream(name)) {
            assertNotNull(in, name);
            properties.load(in);
        }
        return properties;
    }
}
