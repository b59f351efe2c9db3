package org.convnext4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.io.ModelFile;
import org.convnext4j.testsupport.ImageFolders;
import org.convnext4j.train.config.RecipeLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A training checkpoint loads in a JVM that has convnext-model, its own dependencies and an ND4J backend,
 * nothing else: no convnext-train (whose optimizer classes a checkpoint once named), no picocli, no logback.
 */
class CheckpointWithModelAloneTest {

    /** The ND4J backend the application adds: the jars of the backend this build tests with. */
    private static final Pattern BACKEND_JAR = Pattern.compile("(nd4j-native|nd4j-cuda[^/]*|nd4j-native-preset|nd4j-presets-common"
            + "|javacpp|openblas|cuda)-[0-9][^/]*\\.jar");

    @TempDir
    Path dir;

    @Test
    void aCheckpointLoadsWithTheModelModuleAlone() throws Exception {
        Path data = ImageFolders.learnable(dir.resolve("data"), List.of("red", "green", "blue"), 4, 1);
        Training.run(RecipeLoader.parse("test", """
                model: {variant: convnext_test, image_size: 32}
                data: {root: %s, batch_size: 4, workers: 1}
                augment: {mixup: 0.0, cutmix: 0.0}
                schedule: {epochs: 1, warmup_epochs: 0}
                output: {dir: %s}
                """.formatted(data, dir.resolve("run")), List.of()));
        Path model = dir.resolve("run/checkpoints/best/model.zip");

        List<String> output = runWithModelAlone(model);
        ModelFile.Loaded here = ModelFile.load(model, true);
        int size = here.info().imageSize();
        INDArray images = Nd4j.linspace(DataType.FLOAT, -1, 2.0 / (3 * size * size), 3 * size * size).reshape(1, 3, size, size);
        float[] logits = ConvNeXtGraph.logits(here.graph(), images).toFloatVector();
        assertTrue(output.contains("classes [blue, green, red]"), output.toString());
        assertTrue(output.contains("updater state " + here.graph().getUpdater().getStateViewArray().length()), output.toString());
        assertEquals("logits " + Arrays.toString(logits).toLowerCase(java.util.Locale.ROOT), output.get(output.size() - 1));
    }

    private List<String> runWithModelAlone(Path model) throws IOException, InterruptedException {
        List<String> classPath = new ArrayList<>();
        classPath.add(Path.of("../convnext-model/target/classes").toAbsolutePath().normalize().toString());
        classPath.addAll(List.of(Files.readString(Path.of("../convnext-model/target/runtime-classpath.txt")).strip().split(File.pathSeparator)));
        // surefire hands the test class path to the forked JVM in this property; java.class.path is its booter jar
        for (String entry : System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")).split(File.pathSeparator)) {
            if (BACKEND_JAR.matcher(Path.of(entry).getFileName().toString()).matches() && !classPath.contains(entry)) {
                classPath.add(entry);
            }
        }
        Path launcher = Path.of("src/test/resources/model-alone/LoadCheckpoint.java").toAbsolutePath();
        Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", String.join(File.pathSeparator, classPath), launcher.toString(), model.toString())
                .redirectErrorStream(true).start();
        String text = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(java.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, java.exitValue(), text);
        return text.lines().toList();
    }
}
