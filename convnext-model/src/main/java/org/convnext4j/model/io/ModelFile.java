package org.convnext4j.model.io;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.Vertex;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Our native model file: DL4J's ModelSerializer zip (configuration, parameters, optionally the
 * updater state) plus a {@code convnext4j.json} entry holding the {@link ModelInfo}.
 *
 * <p>Written by ModelSerializer, read by {@link #load} alone: ModelSerializer would Java-deserialize a
 * {@code preprocessor.bin} entry, and it reads the zip a second time, where local headers and the
 * central directory could disagree.
 */
public final class ModelFile {

    public static final String INFO_ENTRY = "convnext4j.json";
    // The entries ModelSerializer writes (in this order), then ours.
    private static final String CONFIGURATION_ENTRY = "configuration.json";
    private static final String COEFFICIENTS_ENTRY = "coefficients.bin";
    private static final String UPDATER_STATE_ENTRY = "updaterState.bin";
    private static final Set<String> ALLOWED_ENTRIES = Set.of(CONFIGURATION_ENTRY, COEFFICIENTS_ENTRY, UPDATER_STATE_ENTRY, INFO_ENTRY);
    /** Caps on what the text entries may inflate to: far above any real file, far below a bomb. */
    private static final int MAX_CONFIGURATION_BYTES = 64 << 20;
    private static final int MAX_INFO_BYTES = 1 << 20;
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
            try (FileChannel directory = FileChannel.open(folder, StandardOpenOption.READ)) {
                directory.force(true);   // the rename itself reaches the disk
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Reads a model file once, entry by entry from the local headers (what any zip reader would
     * extract), and builds the network from what was read: DL4J never opens the file itself, so its
     * Java deserialization of a {@code preprocessor.bin} cannot be reached, and every entry is
     * size-capped while it inflates.
     *
     * @param loadUpdater whether to restore the optimizer's state too (a checkpoint being resumed)
     */
    public static Loaded load(Path file, boolean loadUpdater) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file + ": no such model file");
        }
        try (ZipInputStream zip = new ZipInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            Contents contents = new Contents(file, loadUpdater);
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                contents.read(entry.getName(), zip);
            }
            return contents.finish();
        } catch (ZipException | EOFException e) {
            throw new IOException(file + ": not a readable convnext4j model file (" + e.getMessage() + ")", e);
        }
    }

    /** What {@link #load} has read so far, in the order {@link #save} writes it. */
    private static final class Contents {
        private final Path file;
        private final boolean loadUpdater;
        private final Set<String> seen = new LinkedHashSet<>();
        private ComputationGraphConfiguration configuration;
        private ComputationGraph graph;
        private ModelInfo info;

        Contents(Path file, boolean loadUpdater) {
            this.file = file;
            this.loadUpdater = loadUpdater;
        }

        void read(String name, ZipInputStream in) throws IOException {
            if (!ALLOWED_ENTRIES.contains(name)) {
                throw new IOException(file + ": unexpected entries [" + name + "]; a convnext4j model holds only " + ALLOWED_ENTRIES);
            }
            if (!seen.add(name)) {
                throw new IOException(file + ": entry " + name + " appears twice");
            }
            switch (name) {
                case CONFIGURATION_ENTRY -> configuration = configuration(readCapped(in, name, MAX_CONFIGURATION_BYTES));
                case COEFFICIENTS_ENTRY -> {
                    requireBefore(configuration != null, name, CONFIGURATION_ENTRY);
                    INDArray params = ModelArrays.read(in, numParams(configuration), configuration.getDataType(), file + ": " + name);
                    graph = new ComputationGraph(configuration);
                    graph.init(params.reshape(1, params.length()), false);
                }
                case UPDATER_STATE_ENTRY -> {
                    requireBefore(graph != null, name, COEFFICIENTS_ENTRY);
                    INDArray state = graph.getUpdater().getStateViewArray();
                    INDArray saved = ModelArrays.read(in, state.length(), state.dataType(), file + ": " + name);
                    if (loadUpdater) {
                        state.assign(saved.reshape(state.shape()));
                    }
                }
                default -> info = fromJson(file, JSON.readTree(readCapped(in, name, MAX_INFO_BYTES)));
            }
        }

        Loaded finish() throws IOException {
            if (info == null) {
                throw new IOException(file + (seen.isEmpty() ? ": not a convnext4j model file (not a zip archive, or an empty one)"
                        : ": no " + INFO_ENTRY + " entry; not a convnext4j model (use `convnext import` for safetensors weights)"));
            }
            if (graph == null) {
                throw new IOException(file + ": no " + COEFFICIENTS_ENTRY + " entry: the file holds no weights");
            }
            requireDescribedNetwork();
            return new Loaded(graph, info);
        }

        /**
         * The configuration must be the network {@code convnext4j.json} describes, vertex for vertex: a graph
         * of any other shape would run as something else than the architecture its file claims.
         */
        private void requireDescribedNetwork() throws IOException {
            Set<String> expected = new LinkedHashSet<>();
            Vertex.all(info.config()).forEach(vertex -> expected.add(vertex.name()));
            expected.add(ConvNeXtGraph.OUTPUT);
            Set<String> actual = graph.getConfiguration().getVertices().keySet();
            if (!actual.equals(expected)) {
                String unexpected = actual.stream().filter(name -> !expected.contains(name)).findFirst()
                        .map(name -> "vertex '" + name + "' is not one of its")
                        .orElseGet(() -> "vertex '" + expected.stream().filter(name -> !actual.contains(name)).findFirst().orElseThrow()
                                + "' is missing");
                throw new IOException(file + ": " + CONFIGURATION_ENTRY + " is not the " + info.variant() + " network "
                        + INFO_ENTRY + " describes (" + unexpected + "); not a model file this version of convnext4j reads");
            }
        }

        private ComputationGraphConfiguration configuration(byte[] json) throws IOException {
            try {
                return ComputationGraphConfiguration.fromJson(new String(json, StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                String reason = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
                throw new IOException(file + ": " + CONFIGURATION_ENTRY + " is not a network configuration (" + reason + ")", e);
            }
        }

        private void requireBefore(boolean present, String name, String before) throws IOException {
            if (!present) {
                throw new IOException(file + ": entry " + name + " comes before " + before + "; not a file convnext4j wrote");
            }
        }

        private byte[] readCapped(ZipInputStream in, String name, int cap) throws IOException {
            byte[] bytes = in.readNBytes(cap + 1);
            if (bytes.length > cap) {
                throw new IOException(file + ": entry " + name + " inflates to more than " + cap + " bytes");
            }
            return bytes;
        }
    }

    /** The parameters a configuration's layers hold. */
    private static long numParams(ComputationGraphConfiguration configuration) {
        return configuration.getVertices().values().stream().mapToLong(vertex -> vertex.numParams(true)).sum();
    }

    static String toJson(ModelInfo info) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format_version", 1);
        root.put("variant", info.variant());
        root.put("image_size", info.imageSize());
        info.evalCropPct().ifPresent(crop -> root.put("eval_crop_pct", crop));
        ConvNeXtConfig c = info.config();
        ObjectNode model = root.putObject("model");
        ArrayNode depths = model.putArray("depths");
        c.depths().forEach(depths::add);
        ArrayNode dims = model.putArray("dims");
        c.dims().forEach(dims::add);
        model.put("drop_path_rate", c.dropPathRate());
        model.put("grn", c.grn());
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
            JsonNode grn = model.get("grn");   // files written before ConvNeXt V2 have none: V1 blocks
            if (grn != null && !grn.isBoolean()) {
                throw new IllegalArgumentException("'grn' must be true or false, got " + grn);
            }
            ConvNeXtConfig config = new ConvNeXtConfig(ints(required(model, "depths")), ints(required(model, "dims")),
                    grn != null && grn.asBoolean(), required(model, "drop_path_rate").asDouble(), required(model, "layer_scale_init").asDouble(),
                    required(model, "head_init_scale").asDouble(), required(model, "num_classes").asInt());
            List<String> classNames = new ArrayList<>();
            required(root, "class_names").forEach(n -> classNames.add(n.asText()));
            JsonNode crop = root.get("eval_crop_pct");   // absent in files written before it was recorded
            if (crop != null && !crop.isNumber()) {
                throw new IllegalArgumentException("eval_crop_pct is " + crop + ", not a number");
            }
            return new ModelInfo(required(root, "variant").asText(), config, required(root, "image_size").asInt(), classNames,
                    crop == null ? OptionalDouble.empty() : OptionalDouble.of(crop.asDouble()));
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
