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

    private static final long DEADLINE_MINUTES = 5;

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
        // Should the progress line below never come (its wording changed, training hangs), the process is
        // killed after a deadline, its output ends and the test fails, rather than waiting on 1,000 epochs.
        Thread deadline = new Thread(() -> {
            try {
                if (!process.waitFor(DEADLINE_MINUTES, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "signal-stop-test-deadline");
        deadline.setDaemon(true);
        deadline.start();
        boolean reachedSecondEpoch = false;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.contains("epoch 2/1000 [ 3/16 ")) {   // well into its second epoch
                    reachedSecondEpoch = true;
                    break;
                }
            }
            assertTrue(reachedSecondEpoch, "training printed no progress line for batch 3 of epoch 2: it exited, or "
                    + DEADLINE_MINUTES + " minutes passed");
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
