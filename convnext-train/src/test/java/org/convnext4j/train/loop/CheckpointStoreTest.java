package org.convnext4j.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.ConvNeXtVariants;
import org.convnext4j.model.io.ModelInfo;
import org.convnext4j.model.kernels.KernelChoice;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;

class CheckpointStoreTest {

    @TempDir
    Path dir;

    private final ConvNeXtConfig config = ConvNeXtVariants.get(ConvNeXtVariants.TEST).withNumClasses(2);
    private final ModelInfo info = new ModelInfo(ConvNeXtVariants.TEST, config, 32, List.of("a", "b"));

    @Test
    void savesLoadsFindsTheNewestAndPrunes() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        ComputationGraph graph = ConvNeXtGraph.create(config, 32, 1, DataType.FLOAT, new Adam(1e-3));
        Ema ema = Ema.of(graph, 0.99);
        TrainState first = new TrainState(1, 0, 10, 0.5, 0, -1, -1);
        TrainState second = new TrainState(2, 0, 20, 0.6, 1, -1, -1);
        TrainState third = new TrainState(2, 3, 23, 0.6, 1, -1, -1);
        store.save(CheckpointStore.name(first), graph, info, ema, first, "recipe: 1\n");
        store.save(CheckpointStore.name(second), graph, info, null, second, "recipe: 2\n");
        Path newest = store.save(CheckpointStore.name(third), graph, info, ema, third, "recipe: 3\n");
        store.save(CheckpointStore.BEST, graph, info, ema, second, "recipe: best\n");

        assertEquals(newest, store.latest().orElseThrow());
        CheckpointStore.Loaded loaded = CheckpointStore.load(newest);
        assertEquals(third, loaded.state());
        assertEquals(info, loaded.info());
        assertEquals(graph.params(), loaded.graph().params());
        assertEquals(ema.weights(), loaded.emaWeights());
        assertEquals("recipe: 3\n", Files.readString(newest.resolve("recipe.yaml")));
        String runtime = Files.readString(newest.resolve("runtime.json"));
        assertTrue(runtime.contains("\"kernels\" : \"" + KernelChoice.active().name() + "\"")
                && runtime.contains("\"backend\" : \"" + KernelChoice.backend().describe() + "\""), runtime);
        assertNull(CheckpointStore.load(dir.resolve("checkpoints").resolve(CheckpointStore.name(second))).emaWeights());

        store.prune(1);
        assertEquals(List.of(CheckpointStore.BEST, CheckpointStore.name(third)), names());
    }

    @Test
    void aFailedSaveLeavesTheLastGoodCheckpointAndNoDebris() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        ComputationGraph graph = ConvNeXtGraph.create(config, 32, 1, DataType.FLOAT, new Adam(1e-3));
        TrainState good = new TrainState(1, 0, 10, 0.5, 0, -1, -1);
        Path goodPath = store.save(CheckpointStore.name(good), graph, info, null, good, "r\n");
        // fails after model.zip was written (no recipe text)
        TrainState next = new TrainState(2, 0, 20, 0.5, 0, -1, -1);
        assertThrows(NullPointerException.class, () -> store.save(CheckpointStore.name(next), graph, info, null, next, null));
        assertEquals(goodPath, store.latest().orElseThrow());
        assertEquals(good, CheckpointStore.load(goodPath).state());
        assertEquals(List.of(CheckpointStore.name(good)), names());

        // a folder left by a killed save is not a checkpoint and goes with the next save
        Files.createDirectories(dir.resolve("checkpoints").resolve(CheckpointStore.name(next) + ".partial"));
        assertEquals(goodPath, store.latest().orElseThrow());
        store.save(CheckpointStore.name(next), graph, info, null, next, "r\n");
        assertFalse(names().stream().anyMatch(n -> n.endsWith(".partial")));
    }

    /**
     * A save killed while replacing a checkpoint leaves its old copy as {@code NAME.old}: renamed back
     * when it is the only copy, deleted when the new one is in place, and never in the way of a later save.
     */
    @Test
    void aKilledReplacementIsRecovered() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        ComputationGraph graph = ConvNeXtGraph.create(config, 32, 1, DataType.FLOAT, new Adam(1e-3));
        TrainState first = new TrainState(1, 0, 10, 0.5, 0, -1, -1);
        TrainState second = new TrainState(2, 0, 20, 0.6, 1, -1, -1);
        Path checkpoints = dir.resolve("checkpoints");
        store.save(CheckpointStore.BEST, graph, info, null, first, "r\n");
        // killed between the two renames: only best.old remains
        Files.move(checkpoints.resolve("best"), checkpoints.resolve("best.old"));
        store.recover();
        assertEquals(List.of("best"), names());
        assertEquals(first, CheckpointStore.load(checkpoints.resolve("best")).state());
        // killed while deleting best.old: a part of it remains beside the new best
        Files.createDirectories(checkpoints.resolve("best.old"));
        Files.writeString(checkpoints.resolve("best.old/state.json"), "{}");
        store.save(CheckpointStore.BEST, graph, info, null, second, "r\n");
        assertEquals(List.of("best"), names());
        assertEquals(second, CheckpointStore.load(checkpoints.resolve("best")).state());
    }

    @Test
    void loadingSomethingElseIsAClearError() throws IOException {
        Path notACheckpoint = Files.createDirectories(dir.resolve("x"));
        String message = assertThrows(IOException.class, () -> CheckpointStore.load(notACheckpoint)).getMessage();
        assertTrue(message.contains("not a checkpoint folder"), message);
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("checkpoints"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
