package org.convnext4j.model.weights;

import static org.convnext4j.model.weights.WeightFixtures.CONFIG;
import static org.convnext4j.model.weights.WeightFixtures.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.ConvNeXtVariants;
import org.convnext4j.model.Vertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

class ConvNeXtWeightsTest {

    private static final String HEAD_FC_W = Vertex.HEAD.name() + "_fcW";
    private static final String HEAD_FC_B = Vertex.HEAD.name() + "_fcB";

    @TempDir
    Path dir;

    // ---- round trips ----

    @Test
    void modelSerializerRoundTripIsExact() throws IOException {
        ComputationGraph graph = loaded(CONFIG, WeightNaming.OFFICIAL);
        File file = dir.resolve("model.zip").toFile();

        ModelSerializer.writeModel(graph, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);

        assertEquals(graph.getConfiguration().toJson(), restored.getConfiguration().toJson());
        assertSameParams(graph, restored);
        INDArray input = WeightFixtures.io().get("input");
        INDArray logits = ConvNeXtGraph.logits(restored, input);
        assertIdentical("logits", ConvNeXtGraph.logits(graph, input), logits);
        double diff = maxAbsDiff(logits, WeightFixtures.io().get("logits"));
        assertTrue(diff <= 1e-4, "restored logits vs PyTorch: max |diff| " + diff);
    }

    @ParameterizedTest
    @EnumSource(WeightNaming.class)
    void exportThroughAFileLoadsBackExactly(WeightNaming naming) throws IOException {
        ComputationGraph graph = loaded(CONFIG, WeightNaming.OFFICIAL);
        Path file = dir.resolve("exported.safetensors");

        SafeTensors.write(file, ConvNeXtWeights.export(graph, CONFIG, naming), Map.of("format", "pt"));
        ComputationGraph reloaded = WeightFixtures.graph(CONFIG, DataType.FLOAT);
        ConvNeXtWeights.load(reloaded, CONFIG, SafeTensors.read(file), false);

        assertSameParams(graph, reloaded);
    }

    @ParameterizedTest
    @EnumSource(WeightNaming.class)
    void exportReproducesTheFixtureFile(WeightNaming naming) {
        Map<String, INDArray> fixture = WeightFixtures.weights(naming);
        ComputationGraph graph = loaded(CONFIG, naming);

        Map<String, INDArray> exported = ConvNeXtWeights.export(graph, CONFIG, naming);

        assertEquals(fixture.keySet(), exported.keySet());
        exported.forEach((name, tensor) -> {
            assertEquals(DataType.FLOAT, tensor.dataType(), name);
            assertIdentical(name, fixture.get(name), tensor);
        });
    }

    /**
     * timm builds its atto, femto, pico and nano with conv_mlp=True: fc1 and fc2 are 1×1 convolutions,
     * (4C, C, 1, 1) and (C, 4C, 1, 1), as timm's convnext.py defines them; tiny and up keep Linear's
     * (4C, C). Our timm export has those shapes, and import takes either shape for any variant.
     */
    @Test
    void timmSmallModelsKeepTheirMlpAsOneByOneConvolutions() {
        ConvNeXtConfig atto = ConvNeXtVariants.get("convnext_atto").withNumClasses(10);
        ComputationGraph graph = ConvNeXtGraph.create(atto, 32, 3, DataType.FLOAT, new NoOp());
        Map<String, INDArray> timm = ConvNeXtWeights.export(graph, atto, WeightNaming.TIMM);
        assertArrayEquals(new long[] {160, 40, 1, 1}, timm.get("stages.0.blocks.0.mlp.fc1.weight").shape());
        assertArrayEquals(new long[] {320, 1280, 1, 1}, timm.get("stages.3.blocks.1.mlp.fc2.weight").shape());
        assertArrayEquals(new long[] {160, 40}, ConvNeXtWeights.export(graph, atto, WeightNaming.OFFICIAL)
                .get("stages.0.0.pwconv1.weight").shape(), "the official names keep Linear's shape");

        ComputationGraph fromConvolutions = ConvNeXtGraph.create(atto, 32, 4, DataType.FLOAT, new NoOp());
        ConvNeXtWeights.load(fromConvolutions, atto, timm, false);
        assertEquals(graph.params(), fromConvolutions.params());

        Map<String, INDArray> asLinear = new LinkedHashMap<>();
        timm.forEach((name, tensor) -> asLinear.put(name, name.contains(".mlp.fc") && tensor.rank() == 4 ? tensor.reshape(tensor.size(0), tensor.size(1)) : tensor));
        ComputationGraph fromLinear = ConvNeXtGraph.create(atto, 32, 5, DataType.FLOAT, new NoOp());
        ConvNeXtWeights.load(fromLinear, atto, asLinear, false);
        assertEquals(graph.params(), fromLinear.params());

        ConvNeXtConfig tiny = ConvNeXtVariants.get("convnext_tiny").withNumClasses(10);
        assertEquals(TensorLayout.LINEAR, WeightNaming.TIMM.entries(tiny).stream()
                .filter(entry -> entry.tensor().equals("stages.0.blocks.0.mlp.fc1.weight")).findFirst().orElseThrow().layout());
    }

    @Test
    void exportOfADoubleNetworkIsFloat() {
        Map<String, INDArray> exported = WeightFixtures.inDouble(() -> {
            ComputationGraph graph = WeightFixtures.graph(CONFIG, DataType.DOUBLE);
            ConvNeXtWeights.load(graph, CONFIG, WeightFixtures.weights(WeightNaming.TIMM), false);
            return ConvNeXtWeights.export(graph, CONFIG, WeightNaming.TIMM);
        });
        Map<String, INDArray> fixture = WeightFixtures.weights(WeightNaming.TIMM);
        exported.forEach((name, tensor) -> assertIdentical(name, fixture.get(name), tensor));
    }

    @Test
    void wrapperPrefixesAreStripped() {
        Map<String, INDArray> wrapped = new LinkedHashMap<>();
        WeightFixtures.weights(WeightNaming.TORCHVISION).forEach((name, t) -> wrapped.put("module.model." + name, t));
        ComputationGraph graph = WeightFixtures.graph(CONFIG, DataType.FLOAT);

        ConvNeXtWeights.load(graph, CONFIG, wrapped, false);

        assertSameParams(loaded(CONFIG, WeightNaming.TORCHVISION), graph);
    }

    @ParameterizedTest
    @EnumSource(WeightNaming.class)
    void inferConfigReadsTheArchitecture(WeightNaming naming) {
        ConvNeXtConfig inferred = ConvNeXtWeights.inferConfig(WeightFixtures.weights(naming));

        assertEquals(CONFIG.depths(), inferred.depths());
        assertEquals(CONFIG.dims(), inferred.dims());
        assertEquals(CONFIG.numClasses(), inferred.numClasses());
        assertTrue(inferred.hasLayerScale());
    }

    // ---- head replacement ----

    @Test
    void replaceHeadKeepsTheFreshClassifierAndLoadsEverythingElse() {
        ConvNeXtConfig fiveClasses = CONFIG.withNumClasses(5);
        ComputationGraph graph = WeightFixtures.graph(fiveClasses, DataType.FLOAT);
        Map<String, INDArray> fresh = copyParams(graph);

        ConvNeXtWeights.load(graph, fiveClasses, WeightFixtures.weights(WeightNaming.OFFICIAL), true);

        Map<String, INDArray> reference = loaded(CONFIG, WeightNaming.OFFICIAL).paramTable();
        graph.paramTable().forEach((name, value) -> {
            if (name.equals(HEAD_FC_W) || name.equals(HEAD_FC_B)) {
                assertIdentical(name, fresh.get(name), value);
            } else {
                assertIdentical(name, reference.get(name), value);
            }
        });
        assertArrayEquals(new long[] {32, 5}, graph.getParam(HEAD_FC_W).shape());
        assertArrayEquals(new long[] {2, 5}, ConvNeXtGraph.logits(graph, WeightFixtures.io().get("input")).shape());
    }

    @Test
    void replaceHeadWithTheSameClassCountLoadsTheHead() {
        ComputationGraph graph = WeightFixtures.graph(CONFIG, DataType.FLOAT);

        ConvNeXtWeights.load(graph, CONFIG, WeightFixtures.weights(WeightNaming.OFFICIAL), true);

        assertSameParams(loaded(CONFIG, WeightNaming.OFFICIAL), graph);
    }

    // ---- errors, each leaving the network untouched ----

    @Test
    void headOfAnotherClassCountIsAnErrorWithoutReplaceHead() {
        String message = assertRejected(CONFIG.withNumClasses(5), WeightFixtures.weights(WeightNaming.OFFICIAL));
        assertContains(message, "'head.weight' has shape [7, 32], expected [5, 32]");
    }

    @Test
    void missingTensorIsAnError() {
        Map<String, INDArray> tensors = WeightFixtures.weights(WeightNaming.OFFICIAL);
        tensors.remove("stages.2.1.pwconv1.bias");
        assertContains(assertRejected(CONFIG, tensors), "missing tensor 'stages.2.1.pwconv1.bias' of shape [96]");
    }

    @Test
    void unexpectedTensorIsAnError() {
        Map<String, INDArray> tensors = WeightFixtures.weights(WeightNaming.TIMM);
        tensors.put("head.pre_logits.weight", Nd4j.zeros(DataType.FLOAT, 3, 2));
        assertContains(assertRejected(CONFIG, tensors), "unexpected tensor 'head.pre_logits.weight' of shape [3, 2]");
    }

    @Test
    void misShapedTensorIsAnError() {
        Map<String, INDArray> tensors = WeightFixtures.weights(WeightNaming.TORCHVISION);
        tensors.put("features.3.0.block.0.weight", Nd4j.zeros(DataType.FLOAT, 16, 1, 5, 5));
        assertContains(assertRejected(CONFIG, tensors),
                "'features.3.0.block.0.weight' has shape [16, 1, 5, 5], expected [16, 1, 7, 7]");
    }

    @Test
    void transposedLinearWeightIsAnError() {
        Map<String, INDArray> tensors = WeightFixtures.weights(WeightNaming.OFFICIAL);
        tensors.put("stages.0.0.pwconv1.weight", tensors.get("stages.0.0.pwconv1.weight").transpose().dup());
        assertContains(assertRejected(CONFIG, tensors), "has shape [8, 32], expected [32, 8]");
    }

    @Test
    void unknownNamingIsAnError() {
        Map<String, INDArray> tensors = Map.of("encoder.conv1.weight", Nd4j.zeros(DataType.FLOAT, 2, 2),
                "encoder.conv1.bias", Nd4j.zeros(DataType.FLOAT, 2));
        assertContains(assertRejected(CONFIG, tensors), "encoder.conv1.bias, encoder.conv1.weight");
    }

    @Test
    void layerScaleInTheWeightsButNotTheNetworkIsAnError() {
        ConvNeXtConfig noLayerScale = CONFIG.withLayerScaleInit(0);
        assertContains(assertRejected(noLayerScale, WeightFixtures.weights(WeightNaming.TORCHVISION)),
                "the weights have layer scale ('features.1.0.layer_scale') but the network has none");
    }

    @Test
    void layerScaleInTheNetworkButNotTheWeightsIsAnError() {
        Map<String, INDArray> tensors = WeightFixtures.weights(WeightNaming.OFFICIAL);
        tensors.keySet().removeIf(name -> name.endsWith(".gamma"));
        assertContains(assertRejected(CONFIG, tensors), "the network has layer scale but the weights have none");
    }

    @Test
    void networkBuiltFromAnotherConfigIsACallerError() {
        ComputationGraph graph = WeightFixtures.graph(CONFIG, DataType.FLOAT);
        ConvNeXtConfig other = CONFIG.withNumClasses(5).withLayerScaleInit(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConvNeXtWeights.export(graph, other, WeightNaming.OFFICIAL));
        assertContains(e.getMessage(), "not built from this config");
    }

    // ---- helpers ----

    private static ComputationGraph loaded(ConvNeXtConfig config, WeightNaming naming) {
        ComputationGraph graph = WeightFixtures.graph(config, DataType.FLOAT);
        ConvNeXtWeights.load(graph, config, WeightFixtures.weights(naming), false);
        return graph;
    }

    /** Loads {@code tensors} into a fresh network, expects rejection, checks nothing changed; the message. */
    private static String assertRejected(ConvNeXtConfig config, Map<String, INDArray> tensors) {
        ComputationGraph graph = WeightFixtures.graph(config, DataType.FLOAT);
        INDArray before = graph.params().dup();
        IncompatibleWeightsException e = assertThrows(IncompatibleWeightsException.class,
                () -> ConvNeXtWeights.load(graph, config, tensors, false));
        assertIdentical("parameters after a failed load", before, graph.params());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    private static Map<String, INDArray> copyParams(ComputationGraph graph) {
        Map<String, INDArray> copy = new LinkedHashMap<>();
        graph.paramTable().forEach((name, value) -> copy.put(name, value.dup()));
        return copy;
    }

    private static void assertSameParams(ComputationGraph expected, ComputationGraph actual) {
        Map<String, INDArray> actualParams = actual.paramTable();
        assertEquals(List.copyOf(expected.paramTable().keySet()), List.copyOf(actualParams.keySet()));
        expected.paramTable().forEach((name, value) -> assertIdentical(name, value, actualParams.get(name)));
    }

    /** Same shape, data type and bit-identical values. */
    private static void assertIdentical(String what, INDArray expected, INDArray actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        assertEquals(expected.dataType(), actual.dataType(), what + " data type");
        assertArrayEquals(expected.dup('c').data().asDouble(), actual.dup('c').data().asDouble(), what);
    }

    private static void assertContains(String message, String expected) {
        assertTrue(message.contains(expected), "expected '" + expected + "' in: " + message);
    }
}
