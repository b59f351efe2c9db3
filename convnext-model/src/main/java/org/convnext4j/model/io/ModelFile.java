package org.convnext4j.model.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import org.convnext4j.model.ConvNeXtConfig;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * Our native model file: DL4J's ModelSerializer zip (configuration, parameters, optionally the
 * updater state) plus a {@code convnext4j.json} entry holding the {@link ModelInfo}.
 *
 * <p>ModelSerializer Java-deserializes a {@code preprocessor.bin} entry if one is present, so a
 * file is only handed to it after its entries were checked against the ones we write.
 */
public final class ModelFile {

    public static final String INFO_ENTRY = "convnext4j.json";
    private static final Set<String> ALLOWED_ENTRIES = Set.of(
            "configuration.json", "coefficients.bin", "updaterState.bin", "noParams.marker", INFO_ENTRY);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A loaded model and what it is. */
    public record Loaded(ComputationGraph graph, ModelInfo info) {
    }

    private ModelFile() {
    }

    /** Writes atomically: the previous file under {@code file}, if any, stays intact until the new one is complete. */
    public static void save(Path file, ComputationGraph graph, ModelInfo info, boolean saveUpdater) throws IOException {
        Path folder = file.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        Path temp = Files.createTempFile(folder, "." + file.getFileName(), ".tmp");
        try {
            ModelSerializer.writeModel(graph, temp.toFile(), saveUpdater);
            try (FileSystem zip = FileSystems.newFileSystem(temp, Map.of())) {
                Files.writeString(zip.getPath(INFO_ENTRY), toJson(info), StandardCharsets.UTF_8);
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    public static Loaded load(Path file, boolean loadUpdater) throws IOException {
        ModelInfo info = readInfo(file);
        ComputationGraph graph;
        try {
            graph = ModelSerializer.restoreComputationGraph(file.toFile(), loadUpdater);
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a readable model (" + e.getMessage() + ")", e);
        }
        // DL4J reads the parameters (and the updater's state) through heap arrays about three times
        // the model's size, and G1 keeps that heap committed afterwards, under the native memory the
        // model's passes then take: ConvNeXt-T's predict peaked at 0.78-0.80 GiB, 0.54-0.59 with this
        // collection, which returns the heap to the system once the restored model is all that is left.
        System.gc();
        if (graph.getConfiguration().getVertices().keySet().stream().anyMatch(name -> name.endsWith(".branch"))) {
            // Those graphs add the residual in a vertex of their own; today's block layer adds it itself.
            throw new IOException(file + ": saved by an older convnext4j (blocks as branch + add vertices), which this"
                    + " version cannot run; export its weights with that version, or retrain");
        }
        return new Loaded(graph, info);
    }

    /** Checks the entries and reads the model description, without touching the weights. */
    public static ModelInfo readInfo(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file + ": no such model file");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            List<String> unexpected = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
                String name = entries.nextElement().getName();
                if (!ALLOWED_ENTRIES.contains(name)) {
                    unexpected.add(name);
                }
            }
            if (!unexpected.isEmpty()) {
                throw new IOException(file + ": unexpected entries " + unexpected + "; a convnext4j model holds only "
                        + ALLOWED_ENTRIES);
            }
            ZipEntry infoEntry = zip.getEntry(INFO_ENTRY);
            if (infoEntry == null) {
                throw new IOException(file + ": no " + INFO_ENTRY + " entry; not a convnext4j model (use `convnext import` for safetensors weights)");
            }
            try (InputStream in = zip.getInputStream(infoEntry)) {
                return fromJson(file, JSON.readTree(in.readNBytes(1 << 20)));
            }
        } catch (ZipException e) {
            throw new IOException(file + ": not a convnext4j model file (not a zip archive)", e);
        }
    }

    static String toJson(ModelInfo info) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format_version", 1);
        root.put("variant", info.variant());
        root.put("image_size", info.imageSize());
        ConvNeXtConfig c = info.config();
        ObjectNode model = root.putObject("model");
        ArrayNode depths = model.putArray("depths");
        c.depths().forEach(depths::add);
        ArrayNode dims = model.putArray("dims");
        c.dims().forEach(dims::add);
        model.put("drop_path_rate", c.dropPathRate());
        model.put("layer_scale_init", c.layerScaleInit());
        model.put("head_init_scale", c.headInitScale());
        model.put("num_classes", c.numClasses());
        ArrayNode classes = root.putArray("class_names");
        info.classNames().forEach(classes::add);
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    private static ModelInfo fromJson(Path file, JsonNode root) throws IOException {
        try {
            JsonNode model = required(root, "model");
            ConvNeXtConfig config = new ConvNeXtConfig(ints(required(model, "depths")), ints(required(model, "dims")),
                    required(model, "drop_path_rate").asDouble(), required(model, "layer_scale_init").asDouble(),
                    required(model, "head_init_scale").asDouble(), required(model, "num_classes").asInt());
            List<String> classNames = new ArrayList<>();
            required(root, "class_names").forEach(n -> classNames.add(n.asText()));
            return new ModelInfo(required(root, "variant").asText(), config, required(root, "image_size").asInt(), classNames);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": invalid " + INFO_ENTRY + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode required(JsonNode node, String key) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("missing key '" + key + "'");
        }
        return value;
    }

    private static List<Integer> ints(JsonNode array) {
        if (!array.isArray()) {
            throw new IllegalArgumentException("expected a list of integers, got " + array);
        }
        List<Integer> values = new ArrayList<>();
        array.forEach(n -> values.add(n.asInt()));
        return values;
    }
}
