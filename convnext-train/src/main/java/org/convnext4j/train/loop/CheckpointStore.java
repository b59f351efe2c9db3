package org.convnext4j.train.loop;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.convnext4j.model.io.ModelFile;
import org.convnext4j.model.kernels.KernelChoice;
import org.convnext4j.model.io.ModelInfo;
import org.convnext4j.model.weights.SafeTensors;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The checkpoints of a run, {@code OUTPUT/checkpoints/<name>/} each: {@code model.zip} (weights,
 * optimizer state, architecture, class names), {@code ema.safetensors} (when EMA is on),
 * {@code recipe.yaml} (the effective recipe), {@code state.json} and {@code runtime.json} (the ND4J
 * backend and kernels that computed it).
 *
 * <p>A checkpoint is written into a temporary folder and renamed into place only when complete, so
 * a kill or a full disk during a save leaves every earlier checkpoint intact; a leftover temporary
 * folder is ignored and removed by the next save.
 */
public final class CheckpointStore {

    public static final String BEST = "best";
    public static final String BEST_EMA = "best-ema";
    private static final String TEMP_SUFFIX = ".partial";
    /** A checkpoint being replaced: the old copy, renamed aside until the new one is in place. */
    private static final String OLD_SUFFIX = ".old";
    private static final String EMA_TENSOR = "ema";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path folder;

    /** One saved checkpoint, read back. {@code emaWeights} is null when the run had no EMA. */
    public record Loaded(ComputationGraph graph, ModelInfo info, INDArray emaWeights, TrainState state, Path path) {
    }

    public CheckpointStore(Path outputDir) {
        this.folder = outputDir.resolve("checkpoints");
    }

    public Path folder() {
        return folder;
    }

    /** The name of a regular checkpoint; names sort in the order the run made them. */
    public static String name(TrainState state) {
        return String.format("e%04d-b%06d-s%09d", state.epoch(), state.batchesDone(), state.step());
    }

    public Path save(String name, ComputationGraph graph, ModelInfo info, Ema ema, TrainState state, String recipeYaml)
            throws IOException {
        Files.createDirectories(folder);
        recover();
        Path temp = folder.resolve(name + TEMP_SUFFIX);
        Path target = folder.resolve(name);
        try {
            Files.createDirectories(temp);
            ModelFile.save(temp.resolve("model.zip"), graph, info, true);
            if (ema != null) {
                SafeTensors.write(temp.resolve("ema.safetensors"), Map.of(EMA_TENSOR, ema.weights()), Map.of());
            }
            sync(temp.resolve("model.zip"));
            if (ema != null) {
                sync(temp.resolve("ema.safetensors"));
            }
            writeSynced(temp.resolve("recipe.yaml"), recipeYaml);
            writeSynced(temp.resolve("state.json"), state.toJson());
            writeSynced(temp.resolve("runtime.json"), runtimeJson());
            sync(temp);
            Path old = folder.resolve(name + OLD_SUFFIX);
            if (Files.exists(target)) {
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            sync(folder);   // the renames themselves reach the disk before the old copy goes
            deleteTree(old);
            return target;
        } finally {
            deleteTree(temp);
        }
    }

    /** What computed the checkpoint: the ND4J backend and the kernels (see {@link KernelChoice}). */
    private static String runtimeJson() throws IOException {
        ObjectNode node = JSON.createObjectNode();
        node.put("backend", KernelChoice.backend().describe()).put("kernels", KernelChoice.active().name());
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    }

    /** Whether any checkpoint is saved here, regular or best. */
    public boolean holdsAny() throws IOException {
        if (!Files.isDirectory(folder)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.anyMatch(p -> Files.isRegularFile(p.resolve("state.json")));
        }
    }

    /** The newest regular checkpoint (not best/best-ema), if any. */
    public Optional<Path> latest() throws IOException {
        return regular().stream().reduce((a, b) -> b);
    }

    /** Deletes the oldest regular checkpoints so that {@code keep} remain. */
    public void prune(int keep) throws IOException {
        List<Path> all = regular();
        for (int i = 0; i < all.size() - keep; i++) {
            deleteTree(all.get(i));
        }
    }

    public static Loaded load(Path checkpoint) throws IOException {
        Path stateFile = checkpoint.resolve("state.json");
        if (!Files.isRegularFile(stateFile)) {
            throw new IOException(checkpoint + ": not a checkpoint folder (no state.json)");
        }
        TrainState state = TrainState.fromJson(stateFile, Files.readString(stateFile, StandardCharsets.UTF_8));
        ModelFile.Loaded model = ModelFile.load(checkpoint.resolve("model.zip"), true);
        Path emaFile = checkpoint.resolve("ema.safetensors");
        INDArray ema = null;
        if (Files.isRegularFile(emaFile)) {
            ema = SafeTensors.read(emaFile).get(EMA_TENSOR);
            if (ema == null || ema.length() != model.graph().numParams()) {
                throw new IOException(emaFile + ": expected one tensor '" + EMA_TENSOR + "' of " + model.graph().numParams() + " values");
            }
            ema = ema.reshape(model.graph().params().shape()).castTo(model.graph().params().dataType());
        }
        return new Loaded(model.graph(), model.info(), ema, state, checkpoint);
    }

    private List<Path> regular() throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(folder)) {
            entries.filter(p -> p.getFileName().toString().matches("e\\d{4}-b\\d{6}-s\\d{9}"))
                    .filter(p -> Files.isRegularFile(p.resolve("state.json")))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .forEach(found::add);
        }
        return found;
    }

    /**
     * Tidies what a killed save left: a {@code .partial} folder is deleted; a {@code .old} copy is
     * deleted when its checkpoint is in place, and renamed back when the kill came between the two
     * renames (it is then the only copy). Called before every save and when a run starts, so that a
     * leftover never blocks a later save of the same name.
     */
    public void recover() throws IOException {
        if (!Files.isDirectory(folder)) {
            return;
        }
        List<Path> entries;
        try (Stream<Path> list = Files.list(folder)) {
            entries = list.toList();
        }
        for (Path p : entries) {
            String name = p.getFileName().toString();
            if (name.endsWith(TEMP_SUFFIX)) {
                deleteTree(p);
            } else if (name.endsWith(OLD_SUFFIX)) {
                Path checkpoint = folder.resolve(name.substring(0, name.length() - OLD_SUFFIX.length()));
                if (Files.exists(checkpoint)) {
                    deleteTree(p);
                } else {
                    Files.move(p, checkpoint, StandardCopyOption.ATOMIC_MOVE);
                    sync(folder);
                }
            }
        }
    }

    /** Flushes a file, or a folder's entries (its renames), to the disk. */
    private static void sync(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void writeSynced(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
