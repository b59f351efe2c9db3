package org.convnext4j.train.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.convnext4j.model.Vertex;
import org.convnext4j.model.layers.ConvNeXtHead;
import org.convnext4j.model.optim.WarmupCosineSchedule;
import org.convnext4j.testsupport.ImageFolders;
import org.convnext4j.train.config.ConfigException;
import org.convnext4j.train.config.Recipe;
import org.convnext4j.train.config.RecipeLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop on a tiny folder with the full recipe's randomness on (RandAugment, random erasing,
 * mixup/cutmix, drop path, EMA, gradient accumulation): a run interrupted at an epoch boundary or
 * mid-epoch and resumed ends with the same weights as an uninterrupted run.
 */
class TrainerTest {

    @TempDir
    static Path dir;
    private static Path data;
    private static float[] uninterruptedWeights;
    private static float[] uninterruptedEma;

    @BeforeAll
    static void trainWithoutInterruption() throws IOException {
        data = ImageFolders.learnable(dir.resolve("data"), List.of("red", "green", "blue"), 6, 2);
        TrainingRun run = TrainingRun.prepare(recipe("full"), null);
        new Trainer(run).train();
        run.close();
        uninterruptedWeights = run.graph().params().toFloatVector();
        uninterruptedEma = run.ema().weights().toFloatVector();
    }

    @Test
    void resumingFromAnEpochCheckpointReachesTheSameWeights() throws IOException {
        Path resumed = dir.resolve("resumed-epoch");
        Path checkpoint = dir.resolve("full/checkpoints").resolve(CheckpointStore.name(new TrainState(1, 0, 2, 0, 0, 0, 0)));
        assertTrue(Files.isDirectory(checkpoint), "the full run saved " + list(dir.resolve("full/checkpoints")));
        copyTree(checkpoint, resumed.resolve("checkpoints").resolve(checkpoint.getFileName()));

        TrainingRun run = TrainingRun.prepare(recipe("resumed-epoch"), "auto");
        assertEquals(1, run.state().epoch());
        new Trainer(run).train();
        run.close();
        assertArrayEquals(uninterruptedWeights, run.graph().params().toFloatVector(), 1e-6f);
        assertArrayEquals(uninterruptedEma, run.ema().weights().toFloatVector(), 1e-6f);
    }

    @Test
    void stoppingMidEpochSavesAndResumesExactly() throws IOException {
        TrainingRun first = TrainingRun.prepare(recipe("stopped"), null);
        Trainer trainer = new Trainer(first);
        trainer.afterBatch(done -> {
            if (done.state().epoch() == 1 && done.state().batchesDone() == 2) {
                trainer.requestStop();
            }
        });
        TrainState stoppedAt = trainer.train();
        first.close();
        assertEquals(1, stoppedAt.epoch());
        assertEquals(2, stoppedAt.batchesDone());

        TrainingRun second = TrainingRun.prepare(recipe("stopped"), "auto");
        assertEquals(stoppedAt, second.state());
        new Trainer(second).train();
        second.close();
        assertArrayEquals(uninterruptedWeights, second.graph().params().toFloatVector(), 1e-6f);
    }

    /**
     * A stop requested between the micro-batches of one optimizer step (update_freq 2) saves the last
     * step at once, dropping the partial gradient sum; resumed, the run redoes those micro-batches and
     * ends with the uninterrupted run's weights.
     */
    @Test
    void aStopDuringAccumulationSavesTheLastStepAndResumesExactly() throws IOException {
        TrainingRun first = TrainingRun.prepare(recipe("accumulating"), null);
        Trainer trainer = new Trainer(first);
        trainer.afterBatch(done -> {
            if (done.state().epoch() == 1 && done.state().batchesDone() == 3) {   // one micro-batch of step 4 done
                trainer.requestStop();
            }
        });
        TrainState stoppedAt = trainer.train();
        first.close();
        assertEquals(new TrainState(1, 2, 3, stoppedAt.bestTop1(), stoppedAt.bestEpoch(), stoppedAt.bestEmaTop1(),
                stoppedAt.bestEmaEpoch()), stoppedAt, "saved at the last optimizer step");

        TrainingRun second = TrainingRun.prepare(recipe("accumulating"), "auto");
        new Trainer(second).train();
        second.close();
        assertArrayEquals(uninterruptedWeights, second.graph().params().toFloatVector(), 1e-6f);
    }

    /** A stop requested while an epoch is evaluated cuts the evaluation short and saves the epoch's end. */
    @Test
    void aStopDuringEvaluationSavesTheEpochsEndAndResumesExactly() throws IOException {
        TrainingRun first = TrainingRun.prepare(recipe("evaluating"), null);
        Trainer trainer = new Trainer(first);
        trainer.afterBatch(done -> {
            if (done.state().epoch() == 1 && done.state().batchesDone() == 4) {   // the epoch's last batch
                trainer.requestStop();
            }
        });
        TrainState stoppedAt = trainer.train();
        first.close();
        assertEquals(2, stoppedAt.epoch());
        assertEquals(0, stoppedAt.batchesDone());
        assertEquals(1, Files.readAllLines(dir.resolve("evaluating/metrics.jsonl")).size(), "epoch 2 was not evaluated");

        TrainingRun second = TrainingRun.prepare(recipe("evaluating"), "auto");
        new Trainer(second).train();
        second.close();
        assertArrayEquals(uninterruptedWeights, second.graph().params().toFloatVector(), 1e-6f);
    }

    @Test
    void runFolderHasMetricsChartLogAndBest() throws IOException {
        Path run = dir.resolve("full");
        List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(3, metrics.size());
        assertTrue(metrics.get(2).contains("\"val_top1\"") && metrics.get(2).contains("\"ema_top1\""), metrics.get(2));
        List<String> steps = Files.readAllLines(run.resolve("steps.jsonl"));
        assertEquals(3 * 2, steps.size(), "every 2 of the 4 batches of each epoch");
        assertTrue(steps.get(0).contains("\"train_loss\"") && steps.get(0).contains("\"lr\""), steps.get(0));
        assertTrue(steps.get(0).matches(".*\"images_per_second\":[0-9.E]+,\"data_wait\":[0-9.E-]+}"), steps.get(0));
        byte[] png = Files.readAllBytes(run.resolve("curves.png"));
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
        assertTrue(Files.isDirectory(run.resolve("checkpoints/best")));
        assertTrue(Files.isDirectory(run.resolve("checkpoints/best-ema")));
        assertTrue(Files.readString(run.resolve("recipe.yaml")).contains("variant: convnext_test"));
    }

    @Test
    void nonFiniteLossStopsWithAClearMessage() throws IOException {
        Recipe exploding = RecipeLoader.parse("test", yaml("nan"), List.of("optimizer.lr=1e30", "augment.mixup=0.0", "augment.cutmix=0.0"));
        TrainingRun run = TrainingRun.prepare(exploding, null);
        Trainer.NonFiniteLossException e = assertThrows(Trainer.NonFiniteLossException.class, () -> new Trainer(run).train());
        run.close();
        // the warm-up starts at lr 0, so the first epoch trains and saves; the explosion comes after
        assertTrue(e.getMessage().matches("loss is (NaN|Infinity) at epoch 1 batch \\d+ \\(step \\d+\\); stopping\\. "
                + "The last good checkpoint is in .*e0001-b000000-s000000002"), e.getMessage());
        Path lastGood = Path.of(e.getMessage().substring(e.getMessage().lastIndexOf(" in ") + 4));
        assertFalse(CheckpointStore.load(lastGood).graph().params().isInfinite().any(), "the checkpoint holds finite weights");
        assertFalse(list(dir.resolve("nan/checkpoints")).stream().anyMatch(n -> n.endsWith(".partial")));
    }

    /**
     * Resuming with a changed recipe: keys that change the model, the data or the batching are refused
     * naming the key; the others are applied, the schedule rebuilt from the new recipe (here a higher
     * rate and one more epoch), not read back from the saved network.
     */
    @Test
    void resumingChecksAndAppliesTheRecipe() throws IOException {
        Path checkpoint = dir.resolve("full/checkpoints").resolve(CheckpointStore.name(new TrainState(1, 0, 2, 0, 0, 0, 0)));
        copyTree(checkpoint, dir.resolve("changed/checkpoints").resolve(checkpoint.getFileName()));
        for (String fixed : List.of("model.image_size=64", "model.variant=convnext_atto", "data.batch_size=2", "training.seed=8")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> TrainingRun.prepare(RecipeLoader.parse("test", yaml("changed"), List.of(fixed)), "auto"));
            String key = fixed.substring(0, fixed.indexOf('='));
            assertTrue(e.getMessage().startsWith(checkpoint.getFileName() + ": " + key + " was ")
                    || e.getMessage().contains("/" + checkpoint.getFileName() + ": " + key + " was "), e.getMessage());
        }
        Recipe changed = RecipeLoader.parse("test", yaml("changed"), List.of("optimizer.lr=4e-3", "schedule.epochs=4"));
        TrainingRun run = TrainingRun.prepare(changed, "auto");
        double expected = new WarmupCosineSchedule(4e-3, 1e-5, 2, 8).valueAt(2, 0);   // 2 steps per epoch, 1 warm-up epoch
        double actual = run.graph().getLayer(Vertex.HEAD.name()).conf().getLayer().getUpdaterByParam(ConvNeXtHead.FC_WEIGHT)
                .getLearningRate(2, 0);
        assertEquals(expected, actual, 1e-12, "the schedule of the recipe resumed with");
        assertEquals(expected, run.optimizer().learningRate().valueAt(2, 0), 1e-12, "the run holds the schedule it configured");
        assertArrayEquals(CheckpointStore.load(checkpoint).graph().params().toFloatVector(), run.graph().params().toFloatVector(), 0f);
        TrainState end = new Trainer(run).train();
        run.close();
        assertEquals(4, end.epoch(), "the run was extended to the recipe's new length");
    }

    /**
     * A step that leaves non-finite weights behind a finite loss (made here by writing a NaN into the
     * weights after the last batch of the second epoch) is stopped at the next save, which names the
     * last finite checkpoint and writes nothing non-finite, best included.
     */
    @Test
    void nonFiniteWeightsAreNeverSaved() throws IOException {
        TrainingRun run = TrainingRun.prepare(recipe("poisoned"), null);
        Trainer trainer = new Trainer(run);
        trainer.afterBatch(done -> {
            if (done.state().epoch() == 1 && done.state().batchesDone() == 4) {
                run.graph().params().putScalar(0, Float.NaN);
            }
        });
        Trainer.NonFiniteLossException e = assertThrows(Trainer.NonFiniteLossException.class, trainer::train);
        run.close();
        assertTrue(e.getMessage().matches("the weights are not finite after step 4; stopping without saving\\. "
                + "The last good checkpoint is in .*e0001-b000000-s000000002"), e.getMessage());
        Path checkpoints = dir.resolve("poisoned/checkpoints");
        assertEquals(List.of("best", "best-ema", "e0001-b000000-s000000002"), list(checkpoints));
        for (String name : list(checkpoints)) {
            assertTrue(Double.isFinite(CheckpointStore.load(checkpoints.resolve(name)).graph().params().sumNumber().doubleValue()), name);
        }
    }

    /** The metrics and the chart are written after the checkpoints, and their failure is a warning, not a lost checkpoint. */
    @Test
    void aChartThatCannotBeWrittenCostsNoCheckpoint() throws IOException {
        Files.createDirectories(dir.resolve("chartless/curves.png"));   // a folder where the chart goes
        TrainingRun run = TrainingRun.prepare(recipe("chartless"), null);
        new Trainer(run).train();
        run.close();
        assertEquals(List.of("best", "best-ema", "e0001-b000000-s000000002", "e0002-b000000-s000000004",
                "e0003-b000000-s000000006"), list(dir.resolve("chartless/checkpoints")));
        assertEquals(3, Files.readAllLines(dir.resolve("chartless/metrics.jsonl")).size());
    }

    private static Recipe recipe(String output) {
        return RecipeLoader.parse("test", yaml(output), List.of());
    }

    private static String yaml(String output) {
        return """
                model: {variant: convnext_test, image_size: 32, drop_path_rate: 0.1, layer_scale_init: 0.1}
                data: {root: %s, batch_size: 4, workers: 2}
                augment: {rand_augment: rand-m9-mstd0.5-inc1, reprob: 0.25, mixup: 0.8, cutmix: 1.0, label_smoothing: 0.1}
                optimizer: {lr: 1.0e-3, weight_decay: 0.05}
                schedule: {epochs: 3, warmup_epochs: 1, min_lr: 1.0e-5}
                training: {update_freq: 2, ema: true, ema_decay: 0.9, seed: 7, save_every: 1, keep_last: 5, log_every: 2}
                output: {dir: %s}
                """.formatted(data, dir.resolve(output));
    }

    private static List<String> list(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

}
