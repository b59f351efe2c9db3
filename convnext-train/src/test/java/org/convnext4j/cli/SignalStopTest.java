package org.convnext4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.convnext4j.testsupport.ImageFolders;
import org.convnext4j.train.loop.CheckpointStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM to a training process: it saves a checkpoint where it is and exits; the checkpoint resumes. */
class SignalStopTest {

    @TempDir
    Path dir;

    @Test
    void sigtermSavesACheckpointBeforeExit() throws Exception {
        Path data = ImageFolders.learnable(dir.resolve("data"), List.of("a", "b"), 16, 16);
        Path recipe = Files.writeString(dir.resolve("r.yaml"), """
                model: {variant: convnext_test, image_size: 32}
                data: {root: %s, batch_size: 2, workers: 1}
                augment: {rand_augment: "", mixup: 0.0, cutmix: 0.0}
                schedule: {epochs: 1000, warmup_epochs: 0}
                training: {log_every: 1}
                output: {dir: %s}
                """.formatted(data, dir.resolve("run")));
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ConvNeXtCli.class.getName(), "train", "--config", recipe.toString())
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.contains("epoch 2/1000 [ 3/16 ")) {
                // wait until training is well into its second epoch
            }
            process.toHandle().destroy();   // SIGTERM; Process.destroy would also close our end of its output
            while (out.readLine() != null) {
                // drain
            }
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the process exits after saving");
        assertEquals(143, process.exitValue(), "128 + SIGTERM's 15, as the README says");
        Path checkpoint = new CheckpointStore(dir.resolve("run")).latest().orElseThrow(() -> new AssertionError("no checkpoint saved"));
        CheckpointStore.Loaded loaded = CheckpointStore.load(checkpoint);
        assertEquals(1, loaded.state().epoch(), "stopped in the second epoch");
        assertTrue(loaded.state().batchesDone() >= 3, "saved where it was: " + loaded.state());
    }
}
