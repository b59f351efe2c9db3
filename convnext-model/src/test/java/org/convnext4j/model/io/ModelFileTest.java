package org.convnext4j.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ModelFileTest {

    @TempDir
    Path dir;

    @Test
    void roundTripIsBitIdenticalAndKeepsTheDescription() throws IOException {
        ConvNeXtConfig config = ConvNeXtVariants.get(ConvNeXtVariants.TEST).withNumClasses(3).withDropPathRate(0.1);
        ComputationGraph graph = ConvNeXtGraph.create(config, 64, 5, DataType.FLOAT);
        ModelInfo info = new ModelInfo(ConvNeXtVariants.TEST, config, 64, List.of("cat", "dog", "eel"));
        Path file = dir.resolve("model.zip");
        ModelFile.save(file, graph, info, true);

        ModelFile.Loaded loaded = ModelFile.load(file, true);
        assertEquals(info, loaded.info());
        assertEquals(graph.getConfiguration().toJson(), loaded.graph().getConfiguration().toJson());
        assertEquals(graph.params(), loaded.graph().params());
        INDArray input = Nd4j.randn(DataType.FLOAT, 2, 3, 64, 64);
        assertArrayEquals(ConvNeXtGraph.logits(graph, input).data().asFloat(),
                ConvNeXtGraph.logits(loaded.graph(), input).data().asFloat(), 0f);
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
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
            zip.putNextEntry(new ZipEntry(ModelFile.INFO_ENTRY));
            zip.putNextEntry(new ZipEntry("preprocessor.bin"));
        }
        String message = assertThrows(IOException.class, () -> ModelFile.load(withPreprocessor, false)).getMessage();
        assertTrue(message.contains("unexpected entries [preprocessor.bin]"), message);

        Path plainDl4j = dir.resolve("plain.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(plainDl4j))) {
            zip.putNextEntry(new ZipEntry("configuration.json"));
        }
        assertTrue(assertThrows(IOException.class, () -> ModelFile.load(plainDl4j, false)).getMessage().contains("no convnext4j.json"));
    }

    /** Graphs saved before blocks added their own residual would add it twice: refused, not run. */
    @Test
    void refusesGraphsWhoseBlocksAreBranchAndAddVertices() throws IOException {
        ConvNeXtConfig config = ConvNeXtVariants.get(ConvNeXtVariants.TEST).withNumClasses(3);
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("input").setInputTypes(InputType.feedForward(4))
                .addLayer("s0.b0.branch", new DenseLayer.Builder().nOut(4).build(), "input")
                .addVertex("s0.b0", new ElementWiseVertex(ElementWiseVertex.Op.Add), "input", "s0.b0.branch")
                .addLayer("output", new OutputLayer.Builder().nOut(3).build(), "s0.b0")
                .setOutputs("output").build());
        graph.init();
        Path file = dir.resolve("old.zip");
        ModelFile.save(file, graph, new ModelInfo(ConvNeXtVariants.TEST, config, 64, List.of("a", "b", "c")), false);
        String message = assertThrows(IOException.class, () -> ModelFile.load(file, false)).getMessage();
        assertTrue(message.contains("older convnext4j"), message);
    }

    @Test
    void classNamesMustMatchTheHead() {
        ConvNeXtConfig config = ConvNeXtVariants.get(ConvNeXtVariants.TEST).withNumClasses(3);
        assertThrows(IllegalArgumentException.class, () -> new ModelInfo("x", config, 64, List.of("a", "b")));
    }
}
