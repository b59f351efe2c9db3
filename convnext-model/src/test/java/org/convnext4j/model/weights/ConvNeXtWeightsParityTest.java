package org.convnext4j.model.weights;

import static org.convnext4j.model.weights.WeightFixtures.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.Vertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Each fixture file, loaded into our network, reproduces PyTorch's forward pass. */
class ConvNeXtWeightsParityTest {

    private static final double FLOAT_TOLERANCE = 1e-4;
    private static final double DOUBLE_TOLERANCE = 1e-8;

    @ParameterizedTest
    @EnumSource(WeightNaming.class)
    void floatLogitsMatchPyTorch(WeightNaming naming) {
        Map<String, INDArray> io = WeightFixtures.io();
        ComputationGraph graph = WeightFixtures.graph(WeightFixtures.CONFIG, DataType.FLOAT);
        ConvNeXtWeights.load(graph, WeightFixtures.CONFIG, WeightFixtures.weights(naming), false);

        double diff = maxAbsDiff(ConvNeXtGraph.logits(graph, io.get("input")), io.get("logits"));
        assertTrue(diff <= FLOAT_TOLERANCE, naming + " float32 logits: max |diff| " + diff);
        System.out.println(naming + " float32 logits max |diff|: " + diff);
    }

    @ParameterizedTest
    @EnumSource(WeightNaming.class)
    void doubleActivationsMatchPyTorch(WeightNaming naming) {
        Map<String, INDArray> io = WeightFixtures.io();
        Map<String, Double> diffs = WeightFixtures.inDouble(() -> {
            ComputationGraph graph = WeightFixtures.graph(WeightFixtures.CONFIG, DataType.DOUBLE);
            ConvNeXtWeights.load(graph, WeightFixtures.CONFIG, WeightFixtures.weights(naming), false);
            INDArray input = io.get("input").castTo(DataType.DOUBLE);
            Map<String, INDArray> activations = graph.feedForward(input, false);
            List<INDArray> stages = ConvNeXtGraph.stageFeatures(graph, WeightFixtures.CONFIG, input);
            Map<String, Double> result = new LinkedHashMap<>();
            // Our activations are NHWC; the references are NCHW.
            result.put("stem", maxAbsDiff(activations.get(Vertex.STEM.name()).permute(0, 3, 1, 2), io.get("stem")));
            for (int stage = 0; stage < ConvNeXtConfig.STAGES; stage++) {
                String name = WeightFixtures.STAGES.get(stage);
                result.put(name, maxAbsDiff(stages.get(stage), io.get(name)));
            }
            result.put("logits", maxAbsDiff(activations.get(Vertex.HEAD.name()), io.get("logits")));
            return result;
        });

        diffs.forEach((name, diff) -> assertTrue(diff <= DOUBLE_TOLERANCE,
                naming + " float64 " + name + ": max |diff| " + diff + " (all: " + diffs + ")"));
        System.out.println(naming + " float64 max |diff|: " + diffs);
    }
}
