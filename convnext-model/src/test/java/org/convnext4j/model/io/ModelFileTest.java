package org.convnext4j.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.ConvNeXtVariants;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

class ModelFileTest {

    @TempDir
    Path dir;

    @Test
    void roundTripIsBitIdenticalAndKeepsTheDescription() throws IOException {
        ConvNeXtConfig config = ConvNeXtVariants.get(ConvNeXtVariants.TEST).withNumClasses(3).withDropPathRate(0.1);
        ComputationGraph graph = ConvNeXtGraph.create(config, 64, 5, DataType.FLOAT, new Adam(1e-3));
        ModelInfo info = new ModelInfo(ConvNeXtVariants.TEST, config, 64, List.of("cat", "dog", "eel"));
        Path file = dir.resolve("model.zip");
        graph.getUpdater().getStateViewArray().assign(Nd4j.rand(DataType.FLOAT, graph.getUpdater().getStateViewArray().shape()));
        ModelFile.save(file, graph, info, true);

        ModelFile.Loaded loaded = ModelFile.load(file, true);
        assertEquals(info, loaded.info());
        assertEquals(graph.getUpdater().getStateViewArray(), loaded.graph().getUpdater().getStateViewArray(), "optimizer state");
        assertEquals(graph.getConfiguration().toJson(), loaded.graph().getConfiguration().toJson());
        assertEquals(graph.params(), loaded.graph().params());
        INDArray input = Nd4j.randn(DataType.FLOAT, 2, 3, 64, 64);
        assertArrayEquals(ConvNeXtGraph.logits(graph, input).data().asFloat(),
                ConvNeXtGraph.logits(loaded.graph(), input).data().asFloat(), 0f);
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    /**
     * The eval crop is kept when recorded; a file without one (imported weights, or written before it
     * was recorded) reads back without one; a crop that cannot be meant is refused.
     */
    @Test
    void theEvalCropIsKeptWhenRecorded() throws IOException {
        Path without = savedModel("without-crop.zip");
        assertEquals(OptionalDouble.empty(), ModelFile.load(without, false).info().evalCropPct());
        assertFalse(infoJson(without).contains("eval_crop_pct"), "no key written for no crop");

        ModelFile.Loaded loaded = ModelFile.load(without, false);
        Path with = dir.resolve("with-crop.zip");
        ModelFile.save(with, loaded.graph(), loaded.info().withEvalCropPct(1.0), false);
        assertEquals(OptionalDouble.of(1.0), ModelFile.load(with, false).info().evalCropPct());

        try (FileSystem zip = FileSystems.newFileSystem(with, Map.of())) {
            Path info = zip.getPath(ModelFile.INFO_ENTRY);
            Files.writeString(info, Files.readString(info).replace("\"eval_crop_pct\" : 1.0", "\"eval_crop_pct\" : 1.5"));
        }
        assertRefused(with, "invalid convnext4j.json: eval crop must be in (0, 1], got 1.5");
    }

    private static String infoJson(Path model) throws IOException {
        try (FileSystem zip = FileSystems.newFileSystem(model, Map.of())) {
            return Files.readString(zip.getPath(ModelFile.INFO_ENTRY));
        }
    }

    @Test
    void refusesFilesThatAreNotOurs() throws IOException {
        Path missing = dir.resolve("missing.zip");
        assertTrue(assertThrows(IOException.class, () -> ModelFile.load(missing, false)).getMessage().contains("no such model file"));

        Path text = Files.writeString(dir.resolve("text.zip"), "not a zip");
        assertTrue(assertThrows(IOException.class, () -> ModelFile.load(text, false)).getMessage().contains("not a zip"));

        Path withPreprocessor = dir.resolve("pre.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(withPreprocessor))) {
            zip.putNextEntry(new ZipEntry("preprocessor.bin"));
            zip.putNextEntry(new ZipEntry(ModelFile.INFO_ENTRY));
        }
        String message = assertThrows(IOException.class, () -> ModelFile.load(withPreprocessor, false)).getMessage();
        assertTrue(message.contains("unexpected entries [preprocessor.bin]"), message);

        Path plainDl4j = dir.resolve("plain.zip");
        ModelSerializer.writeModel(smallGraph(), plainDl4j.toFile(), false);
        assertTrue(assertThrows(IOException.class, () -> ModelFile.load(plainDl4j, false)).getMessage().contains("no convnext4j.json"));
    }

    /**
     * Hostile archives: what the local headers say is what is read, and nothing is inflated past what
     * the configuration needs. An entry renamed to preprocessor.bin in its local header only (the
     * central directory still says coefficients.bin) is refused before anything reads it.
     */
    @Test
    void hostileArchivesAreOneLineErrors() throws IOException {
        byte[] model = Files.readAllBytes(savedModel("good.zip"));

        Path renamed = Files.write(dir.resolve("renamed.zip"), replaceFirst(model, "coefficients.bin", "preprocessor.bin"));
        assertRefused(renamed, "unexpected entries [preprocessor.bin]");

        Path duplicated = dir.resolve("duplicated.zip");
        byte[] configuration;
        try (var good = new java.util.zip.ZipFile(dir.resolve("good.zip").toFile())) {
            configuration = good.getInputStream(good.getEntry("configuration.json")).readAllBytes();
        }
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(duplicated))) {
            zip.putNextEntry(new ZipEntry("configuration.json"));
            zip.write(configuration);
            zip.putNextEntry(new ZipEntry("configuratioX.json"));
            zip.write(configuration);
        }
        Files.write(duplicated, replaceAll(Files.readAllBytes(duplicated), "configuratioX.json", "configuration.json"));
        assertRefused(duplicated, "entry configuration.json appears twice");

        Path bomb = dir.resolve("bomb.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(bomb))) {
            zip.putNextEntry(new ZipEntry("configuration.json"));
            byte[] spaces = new byte[1 << 20];
            java.util.Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < 65; i++) {
                zip.write(spaces);
            }
        }
        assertTrue(Files.size(bomb) < 1 << 20, "the bomb is small on disk");
        assertRefused(bomb, "entry configuration.json inflates to more than 67108864 bytes");

        Path truncated = Files.write(dir.resolve("truncated.zip"), java.util.Arrays.copyOf(model, model.length / 2));
        assertRefused(truncated, "truncated.zip");

        // a stored entry claiming a data descriptor, which the zip format forbids: the reader stops at it
        byte[] described = model.clone();
        java.nio.ByteBuffer header = java.nio.ByteBuffer.wrap(described).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        header.putShort(6, (short) (header.getShort(6) | 0x08));   // general purpose flag: sizes in a data descriptor
        header.putShort(8, (short) 0);                             // method: stored
        assertRefused(Files.write(dir.resolve("described.zip"), described), "described.zip");
    }

    /** Parameters of another size than the configuration's are refused before they are allocated. */
    @Test
    void weightsThatDoNotFitTheConfigurationAreRefused() throws IOException {
        Path file = savedModel("short.zip");
        Path other = dir.resolve("other.zip");
        ConvNeXtConfig wider = ConvNeXtVariants.get(ConvNeXtVariants.TEST).withNumClasses(4);
        ModelFile.save(other, ConvNeXtGraph.create(wider, 64, 5, DataType.FLOAT, new Adam(1e-3)), new ModelInfo(ConvNeXtVariants.TEST, wider, 64,
                List.of("a", "b", "c", "d")), false);
        // the configuration of one, the weights of the other
        Path mixed = dir.resolve("mixed.zip");
        try (var in = new java.util.zip.ZipFile(file.toFile()); var weights = new java.util.zip.ZipFile(other.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(mixed))) {
            out.putNextEntry(new ZipEntry("configuration.json"));
            in.getInputStream(in.getEntry("configuration.json")).transferTo(out);
            out.putNextEntry(new ZipEntry("coefficients.bin"));
            weights.getInputStream(weights.getEntry("coefficients.bin")).transferTo(out);
        }
        assertRefused(mixed, "coefficients.bin: holds ");
    }

    private Path savedModel(String name) throws IOException {
        ConvNeXtConfig config = ConvNeXtVariants.get(ConvNeXtVariants.TEST).withNumClasses(3);
        Path file = dir.resolve(name);
        ModelFile.save(file, ConvNeXtGraph.create(config, 64, 5, DataType.FLOAT, new Adam(1e-3)), new ModelInfo(ConvNeXtVariants.TEST, config, 64,
                List.of("cat", "dog", "eel")), false);
        return file;
    }

    private static ComputationGraph smallGraph() {
        ConvNeXtConfig config = ConvNeXtVariants.get(ConvNeXtVariants.TEST).withNumClasses(3);
        return ConvNeXtGraph.create(config, 64, 5, DataType.FLOAT, new Adam(1e-3));
    }

    private static void assertRefused(Path file, String expected) {
        String message = assertThrows(IOException.class, () -> ModelFile.load(file, false)).getMessage();
        assertTrue(message.contains(expected), message);
        assertEquals(1, message.lines().count(), message);
    }

    private static byte[] replaceFirst(byte[] bytes, String from, String to) {
        byte[] result = bytes.clone();
        int at = indexOf(result, from.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0);
        System.arraycopy(to.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, result, at, to.length());
        return result;
    }

    private static byte[] replaceAll(byte[] bytes, String from, String to) {
        byte[] result = bytes.clone();
        byte[] pattern = from.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int at = indexOf(result, pattern, 0); at >= 0; at = indexOf(result, pattern, at + 1)) {
            System.arraycopy(to.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, result, at, to.length());
        }
        return result;
    }

    private static int indexOf(byte[] bytes, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= bytes.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (bytes[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** A graph that is not the network its info describes (here blocks as branch + add vertices) is refused, not run. */
    @Test
    void refusesAGraphOtherThanTheDescribedNetwork() throws IOException {
        ConvNeXtConfig config = ConvNeXtVariants.get(ConvNeXtVariants.TEST).withNumClasses(3);
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("input").setInputTypes(InputType.feedForward(4))
                .addLayer("s0.b0.branch", new DenseLayer.Builder().nOut(4).build(), "input")
                .addVertex("s0.b0", new ElementWiseVertex(ElementWiseVertex.Op.Add), "input", "s0.b0.branch")
                .addLayer("output", new OutputLayer.Builder().nOut(3).build(), "s0.b0")
                .setOutputs("output").build());
        graph.init();
        Path file = dir.resolve("other.zip");
        ModelFile.save(file, graph, new ModelInfo(ConvNeXtVariants.TEST, config, 64, List.of("a", "b", "c")), false);
        String message = assertThrows(IOException.class, () -> ModelFile.load(file, false)).getMessage();
        assertEquals(file + ": configuration.json is not the convnext_test network convnext4j.json describes (vertex"
                + " 's0.b0.branch' is not one of its); not a model file this version of convnext4j reads", message);
    }

    @Test
    void classNamesMustMatchTheHead() {
        ConvNeXtConfig config = ConvNeXtVariants.get(ConvNeXtVariants.TEST).withNumClasses(3);
        assertThrows(IllegalArgumentException.class, () -> new ModelInfo("x", config, 64, List.of("a", "b")));
    }
}
