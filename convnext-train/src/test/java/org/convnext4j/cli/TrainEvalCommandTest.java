package org.convnext4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.stream.Stream;

import org.convnext4j.model.ConvNeXtComplexity;
import org.convnext4j.model.ConvNeXtVariants;
import org.convnext4j.model.io.ModelFile;
import org.convnext4j.testsupport.ImageFolders;
import org.convnext4j.train.loop.CheckpointStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class TrainEvalCommandTest {

    @TempDir
    static Path dir;
    private static Path recipe;
    private static Path data;
    private static CliRun training;

    @BeforeAll
    static void trainOneEpoch() throws IOException {
        data = ImageFolders.learnable(dir.resolve("data"), List.of("dark", "light"), 4, 4);
        recipe = Files.writeString(dir.resolve("recipe.yaml"), """
                model: {variant: convnext_test, image_size: 32}
                data: {root: %s, batch_size: 4, workers: 1}
                augment: {rand_augment: "", mixup: 0.0, cutmix: 0.0, eval_crop_pct: 1.0}
                schedule: {epochs: 1, warmup_epochs: 0}
                training: {ema: true, log_every: 1, update_freq: 2}
                """.formatted(data));
        training = CliRun.of("train", "--config", recipe.toString(), "--output", dir.resolve("run").toString());
        assertEquals(0, training.exitCode(), training.err());
        assertTrue(training.out().contains("done: epoch 1, best val top-1"), training.out());
        assertTrue(Files.readString(dir.resolve("run/train.log")).contains("val top-1"), "train.log mirrors the console");
    }

    /** The run starts with what it trains, on what, how long, and with which backend and kernels. */
    @Test
    void trainingStartsWithASummary() {
        long parameters = ConvNeXtComplexity.totalParams(ConvNeXtVariants.get(ConvNeXtVariants.TEST).withNumClasses(2));
        List<String> expected = List.of(
                String.format(Locale.ROOT, "model: convnext_test at 32 px, 2 classes; %,d parameters, %,d trainable", parameters,
                        parameters),
                "data: 8 training images, 2 batches of 4 per epoch; 8 validation images; 1 worker",
                "schedule: 1 epoch from the start; update_freq 2, effective batch 8; optimizer steps 1 per epoch, 1 in all;"
                        + " EMA on (decay 0.9999)",
                "runtime: " + RuntimeReport.runtime());
        List<String> logged = training.err().lines().filter(line -> line.contains(" TrainCommand - "))
                .map(line -> line.substring(line.indexOf(" TrainCommand - ") + 16)).toList();
        assertEquals(expected, logged, training.err());
    }

    /** A resumed run says where it starts, and a changed augment.eval_crop_pct reaches its new checkpoints' model files. */
    @Test
    void aResumedRunSaysWhereItStartsAndRecordsItsNewCrop() throws IOException {
        Path copy = dir.resolve("resumed");
        try (Stream<Path> files = Files.walk(dir.resolve("run"))) {
            for (Path file : files.toList()) {
                Path target = copy.resolve(dir.resolve("run").relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        CliRun run = CliRun.of("train", "--config", recipe.toString(), "--output", copy.toString(), "--resume", "auto",
                "--set", "schedule.epochs=2", "--set", "augment.eval_crop_pct=0.9");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains(" TrainCommand - schedule: 2 epochs from epoch 2 (step 1); "), run.err());
        Path latest = new CheckpointStore(copy).latest().orElseThrow();
        assertEquals(OptionalDouble.of(0.9), ModelFile.load(latest.resolve("model.zip"), false).info().evalCropPct(), latest.toString());
    }

    /** Every log_every batches: the epoch's position, the loss (last and mean), speed, data wait, learning rate and ETAs. */
    @Test
    void trainingLogsAProgressLineEveryLogEveryBatches() {
        List<String> lines = training.err().lines().filter(line -> line.contains(" Trainer - epoch 1/1 [")).toList();
        assertEquals(2, lines.size(), training.err());
        String duration = "\\d+(h\\d\\dm|m\\d\\ds|s)";
        for (int i = 0; i < 2; i++) {
            String position = i == 0 ? "\\[1/2 \\( 50%\\)]" : "\\[2/2 \\(100%\\)]";
            assertTrue(lines.get(i).matches(".* epoch 1/1 " + position + "  loss \\d\\.\\d{4} \\(\\d\\.\\d{4}\\)"
                    + "  \\d+ img/s \\(\\d+ avg\\)  data \\d+%  lr \\S+  ETA epoch " + duration + ", run >" + duration),
                    lines.get(i));
        }
    }

    /** A second fresh run into the folder of the first is refused before it touches any of the first run's files. */
    @Test
    void aFreshRunRefusesAnotherRunsFolder() throws IOException {
        Path run = dir.resolve("run");
        byte[] log = Files.readAllBytes(run.resolve("train.log"));
        byte[] metrics = Files.readAllBytes(run.resolve("metrics.jsonl"));
        byte[] best = Files.readAllBytes(run.resolve("checkpoints/best/model.zip"));
        CliRun again = CliRun.of("train", "--config", recipe.toString(), "--output", run.toString());
        assertEquals(ConvNeXtCommand.INVALID_INPUT, again.exitCode(), again.err());
        assertEquals("error: " + run + " holds another run; continue it with --resume auto, or train into another --output",
                again.errors().strip());
        assertArrayEquals(log, Files.readAllBytes(run.resolve("train.log")), "train.log untouched");
        assertArrayEquals(metrics, Files.readAllBytes(run.resolve("metrics.jsonl")), "metrics.jsonl untouched");
        assertArrayEquals(best, Files.readAllBytes(run.resolve("checkpoints/best/model.zip")), "best untouched");
    }

    @Test
    void aBatchLargerThanTheTrainingSetIsRefused() {
        CliRun run = CliRun.of("train", "--config", recipe.toString(), "--set", "data.batch_size=64",
                "--output", dir.resolve("big-batch").toString());
        assertEquals(ConvNeXtCommand.INVALID_INPUT, run.exitCode(), run.err());
        assertEquals("error: data.batch_size is 64 but " + data + "/train has 8 training images: not one whole batch",
                run.errors().strip());
    }

    /**
     * Unreadable images in the evaluated split are left out and listed, never replaced by another image:
     * the counts are those of the readable images, at any batch size (a batch of one unreadable image is empty).
     */
    @Test
    void evalLeavesOutAndListsUnreadableImages() throws IOException {
        Path withBroken = dir.resolve("data-broken");
        for (String split : List.of("train", "val")) {
            for (String c : List.of("dark", "light")) {
                Path folder = Files.createDirectories(withBroken.resolve(split).resolve(c));
                try (var images = Files.list(data.resolve(split).resolve(c))) {
                    for (Path image : images.toList()) {
                        Files.copy(image, folder.resolve(image.getFileName()));
                    }
                }
            }
        }
        Files.write(withBroken.resolve("val/dark/1a-empty.png"), new byte[0]);
        byte[] png = Files.readAllBytes(data.resolve("val/light/0.png"));
        Files.write(withBroken.resolve("val/light/0a-truncated.png"), java.util.Arrays.copyOf(png, png.length / 2));
        for (String batch : List.of("1", "3")) {
            Path json = dir.resolve("eval-broken-" + batch + ".json");
            CliRun run = CliRun.of("eval", "--model", dir.resolve("run/checkpoints/best").toString(), "--data", withBroken.toString(),
                    "--batch", batch, "--output", json.toString());
            assertEquals(0, run.exitCode(), run.err());
            assertTrue(run.out().contains(": 8 images (2 unreadable, left out), top-1"), run.out());
            JsonNode result = new ObjectMapper().readTree(json.toFile());
            assertEquals(8, result.get("samples").asInt(), "batch " + batch);
            assertEquals(2, result.get("skipped_count").asInt());
            assertEquals(List.of(withBroken.resolve("val/dark/1a-empty.png").toString(),
                    withBroken.resolve("val/light/0a-truncated.png").toString()),
                    List.of(result.get("skipped").get(0).asText(), result.get("skipped").get(1).asText()));
        }
    }

    @Test
    void evalWritesTopKPerClassAndConfusion() throws IOException {
        Path json = dir.resolve("eval.json");
        CliRun run = CliRun.of("eval", "--model", dir.resolve("run/checkpoints/best").toString(), "--data", data.toString(),
                "--ema", "--output", json.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("8 images, top-1"), run.out());
        JsonNode result = new ObjectMapper().readTree(json.toFile());
        assertEquals(8, result.get("samples").asInt());
        assertEquals(List.of("dark", "light"), List.of(result.get("classes").get(0).asText(), result.get("classes").get(1).asText()));
        long total = 0;
        for (JsonNode row : result.get("confusion_matrix")) {
            for (JsonNode v : row) {
                total += v.asLong();
            }
        }
        assertEquals(8, total);
    }

    /** Eval and predict say how far they are, here after every batch; the training run's evaluations said nothing. */
    @Test
    void evalAndPredictReportProgress() {
        CliRun eval = CliRun.of("eval", "--model", dir.resolve("run/checkpoints/best").toString(), "--data", data.toString(),
                "--batch", "3", "--progress-interval", "0");
        assertEquals(0, eval.exitCode(), eval.err());
        assertEquals(List.of("evaluated 3/8 images (37%)", "evaluated 6/8 images (75%)", "evaluated 8/8 images (100%)"),
                progressLines(eval));
        CliRun predict = CliRun.of("predict", "--model", dir.resolve("run/checkpoints/best/model.zip").toString(),
                "--images", data.resolve("val/dark").toString(), "--batch", "3", "--progress-interval", "0");
        assertEquals(0, predict.exitCode(), predict.err());
        assertEquals(List.of("predicted 3/4 images (75%)", "predicted 4/4 images (100%)"), progressLines(predict));
        assertEquals(List.of(), progressLines(training));
    }

    /** The progress lines of a run, up to their rate and ETA (which depend on the machine), checked to follow. */
    private static List<String> progressLines(CliRun run) {
        String marker = " ImageProgress - ";
        return run.err().lines().filter(line -> line.contains(marker)).map(line -> {
            String text = line.substring(line.indexOf(marker) + marker.length());
            assertTrue(text.matches(".*\\), \\d+ img/s, ETA (\\d+(h\\d\\dm|m\\d\\ds|s)|\\?)"), text);
            return text.substring(0, text.indexOf("),") + 1);
        }).toList();
    }

    /**
     * A checkpoint is evaluated with the crop its run evaluated with (1.0 here, not timm's 0.875), so eval
     * reports what training reported; --crop-pct overrides.
     */
    @Test
    void evalTakesTheCropOfTheCheckpointsRecipe() throws IOException {
        Path best = dir.resolve("run/checkpoints/best");
        JsonNode epoch = new ObjectMapper().readTree(Files.readAllLines(dir.resolve("run/metrics.jsonl")).get(0));
        Path json = dir.resolve("eval-recipe-crop.json");
        CliRun run = CliRun.of("eval", "--model", best.toString(), "--data", data.toString(), "--output", json.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("EvalCrop - eval crop 1.0, from " + best.resolve("recipe.yaml") + " (augment.eval_crop_pct)"),
                run.err());
        JsonNode result = new ObjectMapper().readTree(json.toFile());
        assertEquals(epoch.get("val_top1").asDouble(), result.get("top1").asDouble(), 0.0);
        assertEquals(epoch.get("val_loss").asDouble(), result.get("loss").asDouble(), 1e-5);

        Path cropped = dir.resolve("eval-cropped.json");
        CliRun override = CliRun.of("eval", "--model", best.toString(), "--data", data.toString(), "--crop-pct", "0.875",
                "--output", cropped.toString());
        assertEquals(0, override.exitCode(), override.err());
        assertTrue(override.err().contains("EvalCrop - eval crop 0.875, from --crop-pct"), override.err());
        double croppedLoss = new ObjectMapper().readTree(cropped.toFile()).get("loss").asDouble();
        assertTrue(Math.abs(croppedLoss - epoch.get("val_loss").asDouble()) > 1e-4, "another crop, other images: " + croppedLoss);
    }

    /** The model file inside a checkpoint records the crop too, for predict (and eval) on the file alone. */
    @Test
    void predictUsesTheCheckpointsClassNamesAndCrop() {
        CliRun run = CliRun.of("predict", "--model", dir.resolve("run/checkpoints/best/model.zip").toString(),
                "--images", data.resolve("val/dark").toString(), "--topk", "2");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("\"class\":\"dark\"") && run.out().contains("\"class\":\"light\""), run.out());
        assertTrue(run.err().contains("EvalCrop - eval crop 1.0, from the model file"), run.err());
    }

    @Test
    void recipeMistakesAreOneLineErrors() {
        CliRun typo = CliRun.of("train", "--config", recipe.toString(), "--set", "optimizer.lrr=1");
        assertEquals(ConvNeXtCommand.INVALID_INPUT, typo.exitCode());
        assertTrue(typo.errors().strip().matches("error: .*recipe.yaml: unknown key 'optimizer.lrr'.*"), typo.err());
        CliRun missing = CliRun.of("train", "--config", dir.resolve("nope.yaml").toString());
        assertEquals(ConvNeXtCommand.INVALID_INPUT, missing.exitCode());
        assertTrue(missing.err().contains("no such recipe file"), missing.err());
        CliRun noData = CliRun.of("train", "--config", recipe.toString(), "--set", "data.root=" + dir.resolve("void"),
                "--output", dir.resolve("void-run").toString());
        assertEquals(ConvNeXtCommand.INVALID_INPUT, noData.exitCode());
        assertEquals(1, noData.errors().strip().lines().count(), noData.err());
    }
}
