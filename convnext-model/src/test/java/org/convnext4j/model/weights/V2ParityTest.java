package org.convnext4j.model.weights;

import static org.convnext4j.model.weights.WeightFixtures.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * ConvNeXt V2 against PyTorch (src/test/resources/v2-fixtures, written by generate_v2_fixtures.py with
 * torch 1.13): official and timm names (timm's small models' 1×1-convolution MLP too), safetensors and
 * the official .pth, logits and every stage, export back to each naming, and GRN's per-sample statistics.
 */
class V2ParityTest {

    private static final String FOLDER = "v2-fixtures";
    private static final double FLOAT_TOLERANCE = 1e-4;
    private static final double DOUBLE_TOLERANCE = 1e-8;
    static final ConvNeXtConfig CONFIG = ConvNeXtVariants.get(ConvNeXtVariants.TEST_V2).withNumClasses(7);

    @ParameterizedTest
    @ValueSource(strings = {"convnextv2_test_official.safetensors", "convnextv2_test_timm.safetensors",
            "convnextv2_test_timm_convmlp.safetensors", "convnextv2_test_official.pth"})
    void floatLogitsMatchPyTorch(String file) throws IOException {
        ComputationGraph graph = WeightFixtures.graph(CONFIG, DataType.FLOAT);
        ConvNeXtWeights.load(graph, CONFIG, WeightFiles.read(path(file), null).tensors(), false);
        double diff = maxAbsDiff(ConvNeXtGraph.logits(graph, io().get("input")), io().get("logits"));
        assertTrue(diff <= FLOAT_TOLERANCE, file + " float32 logits: max |diff| " + diff);
        System.out.println(file + " float32 logits max |diff|: " + diff);
    }

    @ParameterizedTest
    @ValueSource(strings = {"convnextv2_test_official.safetensors", "convnextv2_test_timm.safetensors"})
    void doubleActivationsMatchPyTorch(String file) {
        Map<String, INDArray> io = io();
        Map<String, Double> diffs = WeightFixtures.inDouble(() -> {
            ComputationGraph graph = WeightFixtures.graph(CONFIG, DataType.DOUBLE);
            ConvNeXtWeights.load(graph, CONFIG, read(file), false);
            INDArray input = io.get("input").castTo(DataType.DOUBLE);
            Map<String, INDArray> activations = graph.feedForward(input, false);
            List<INDArray> stages = ConvNeXtGraph.stageFeatures(graph, CONFIG, input);
            Map<String, Double> result = new LinkedHashMap<>();
            result.put("stem", maxAbsDiff(activations.get(Vertex.STEM.name()).permute(0, 3, 1, 2), io.get("stem")));
            for (int stage = 0; stage < ConvNeXtConfig.STAGES; stage++) {
                result.put("stage" + stage, maxAbsDiff(stages.get(stage), io.get("stage" + stage)));
            }
            result.put("logits", maxAbsDiff(activations.get(Vertex.HEAD.name()), io.get("logits")));
            return result;
        });
        diffs.forEach((name, diff) -> assertTrue(diff <= DOUBLE_TOLERANCE, file + " float64 " + name + ": max |diff| " + diff));
        System.out.println(file + " float64 max |diff|: " + diffs);
    }

    /** GRN's statistics are per sample: each image of a batch gets the logits it gets alone. */
    @Test
    void eachImageGetsItsLogitsAlone() {
        ComputationGraph graph = WeightFixtures.graph(CONFIG, DataType.FLOAT);
        ConvNeXtWeights.load(graph, CONFIG, read("convnextv2_test_official.safetensors"), false);
        INDArray input = io().get("input");
        INDArray batch = ConvNeXtGraph.logits(graph, input).dup();
        for (int i = 0; i < input.size(0); i++) {
            INDArray alone = ConvNeXtGraph.logits(graph, input.get(NDArrayIndex.interval(i, i + 1)).dup());
            assertTrue(maxAbsDiff(alone, batch.get(NDArrayIndex.interval(i, i + 1))) <= 1e-5, "image " + i);
            assertTrue(maxAbsDiff(alone, io().get("logits_single").get(NDArrayIndex.interval(i, i + 1))) <= FLOAT_TOLERANCE);
        }
    }

    /** Exported in each convention, the weights are the fixture's tensors again, names, shapes and values. */
    @Test
    void exportReproducesEachConvention() {
        ComputationGraph graph = WeightFixtures.graph(CONFIG, DataType.FLOAT);
        ConvNeXtWeights.load(graph, CONFIG, read("convnextv2_test_official.safetensors"), false);
        for (WeightNaming naming : List.of(WeightNaming.OFFICIAL, WeightNaming.TIMM)) {
            Map<String, INDArray> expected = read("convnextv2_test_" + naming.name().toLowerCase() + ".safetensors");
            Map<String, INDArray> exported = ConvNeXtWeights.export(graph, CONFIG, naming);
            assertEquals(expected.keySet(), exported.keySet(), naming.toString());
            expected.forEach((name, tensor) -> {
                assertEquals(java.util.Arrays.toString(tensor.shape()), java.util.Arrays.toString(exported.get(name).shape()), name);
                assertTrue(maxAbsDiff(tensor, exported.get(name)) == 0, name);
            });
        }
        IncompatibleWeightsException e = assertThrows(IncompatibleWeightsException.class,
                () -> ConvNeXtWeights.export(graph, CONFIG, WeightNaming.TORCHVISION));
        assertTrue(e.getMessage().contains("no ConvNeXt V2"), e.getMessage());
    }

    @Test
    void theArchitectureIsReadFromTheFile() {
        ConvNeXtConfig inferred = ConvNeXtWeights.inferConfig(read("convnextv2_test_timm.safetensors"));
        assertTrue(inferred.grn());
        assertEquals(CONFIG.depths(), inferred.depths());
        assertEquals(CONFIG.dims(), inferred.dims());
        assertEquals(0.0, inferred.layerScaleInit());
    }

    /** V1 weights into a V2 network and the other way round: one line that says so. */
    @Test
    void aV1AndV2MixUpIsNamed() {
        ComputationGraph v1 = WeightFixtures.graph(WeightFixtures.CONFIG, DataType.FLOAT);
        IncompatibleWeightsException intoV1 = assertThrows(IncompatibleWeightsException.class,
                () -> ConvNeXtWeights.load(v1, WeightFixtures.CONFIG, read("convnextv2_test_official.safetensors"), false));
        assertTrue(intoV1.getMessage().contains("ConvNeXt V2"), intoV1.getMessage());
        ComputationGraph v2 = WeightFixtures.graph(CONFIG, DataType.FLOAT);
        IncompatibleWeightsException intoV2 = assertThrows(IncompatibleWeightsException.class,
                () -> ConvNeXtWeights.load(v2, CONFIG, WeightFixtures.weights(WeightNaming.OFFICIAL), false));
        assertTrue(intoV2.getMessage().contains("no GRN"), intoV2.getMessage());
    }

    /**
     * FCMAE pre-training checkpoints, in the layout the pre-training code writes and as published: the
     * encoder loads as the official fine-tuning code loads it (every stage equal to PyTorch's), the final
     * norm and the classifier stay fresh, and a head-less file cannot be taken for a classifier.
     */
    @ParameterizedTest
    @ValueSource(strings = {"convnextv2_test_fcmae.pth", "convnextv2_test_fcmae_published.pth"})
    void fcmaeCheckpointsLoadForFineTuning(String file) throws IOException {
        Map<String, INDArray> tensors = WeightFiles.read(path(file), null).tensors();
        Map<String, INDArray> reference = read("convnextv2_test_fcmae_io.safetensors");
        Map<String, Double> diffs = WeightFixtures.inDouble(() -> {
            ComputationGraph graph = WeightFixtures.graph(CONFIG, DataType.DOUBLE);
            INDArray freshHead = graph.getLayer(Vertex.HEAD.name()).params().dup();
            assertEquals(ConvNeXtWeights.Head.NEW_NORM_AND_CLASSIFIER, ConvNeXtWeights.load(graph, CONFIG, tensors, true));
            assertEquals(freshHead, graph.getLayer(Vertex.HEAD.name()).params(), "the head is the network's own");
            INDArray input = io().get("input").castTo(DataType.DOUBLE);
            List<INDArray> stages = ConvNeXtGraph.stageFeatures(graph, CONFIG, input);
            Map<String, Double> result = new LinkedHashMap<>();
            result.put("stem", maxAbsDiff(graph.feedForward(input, false).get(Vertex.STEM.name()).permute(0, 3, 1, 2),
                    reference.get("stem")));
            for (int stage = 0; stage < ConvNeXtConfig.STAGES; stage++) {
                result.put("stage" + stage, maxAbsDiff(stages.get(stage), reference.get("stage" + stage)));
            }
            return result;
        });
        diffs.forEach((name, diff) -> assertTrue(diff <= DOUBLE_TOLERANCE, file + " " + name + ": max |diff| " + diff));
        ComputationGraph graph = WeightFixtures.graph(CONFIG, DataType.FLOAT);
        assertThrows(IncompatibleWeightsException.class, () -> ConvNeXtWeights.load(graph, CONFIG, tensors, false));
        IncompatibleWeightsException e = assertThrows(IncompatibleWeightsException.class, () -> ConvNeXtWeights.inferConfig(tensors));
        assertTrue(e.getMessage().contains("model.pretrained"), e.getMessage());
    }

    static Map<String, INDArray> io() {
        return read("convnextv2_test_io.safetensors");
    }

    static Map<String, INDArray> read(String file) {
        return WeightFixtures.read(FOLDER, file);
    }

    static Path path(String file) {
        return WeightFixtures.path(FOLDER, file);
    }
}
