package org.convnext4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class ConvNeXtComplexityTest {

    /** PyTorch's sum(p.numel()) with a 1000-class head, written by fixtures/generate_fixtures.py. */
    private static JsonNode pytorchCounts() throws IOException {
        try (InputStream in = ConvNeXtComplexityTest.class.getResourceAsStream("/fixtures/param_counts.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void parameterCountsEqualPyTorch() throws IOException {
        JsonNode counts = pytorchCounts();
        counts.get("torchvision_1000_classes").fields().forEachRemaining(e ->
                assertEquals(e.getValue().asLong(), ConvNeXtComplexity.totalParams(ConvNeXtVariants.get(e.getKey())), e.getKey()));
        List<String> official = new ArrayList<>();
        counts.get("official_style_1000_classes").fields().forEachRemaining(e -> {
            official.add(e.getKey());
            ConvNeXtConfig config = ConvNeXtVariants.get(e.getKey());
            assertEquals(e.getValue().get("params").asLong(), ConvNeXtComplexity.totalParams(config), e.getKey());
            assertEquals(e.getValue().get("dims").toString(), config.dims().toString().replace(" ", ""), e.getKey());
        });
        assertEquals(List.of("convnext_atto", "convnext_femto", "convnext_pico", "convnext_nano", "convnext_tiny",
                "convnext_xlarge"), official);
        assertEquals(28_589_128L, ConvNeXtComplexity.totalParams(ConvNeXtVariants.get("convnext_tiny")));
        JsonNode test = counts.get("test_config");
        assertEquals(test.get("params_torchvision").asLong(),
                ConvNeXtComplexity.totalParams(ConvNeXtVariants.get(ConvNeXtVariants.TEST).withNumClasses(test.get("num_classes").asInt())));
    }

    /** PyTorch's counts of every V2 variant (v2-fixtures/v2_param_counts.json, timm's small included); tiny as issue #17 gives it. */
    @Test
    void v2ParameterCountsEqualPyTorch() throws IOException {
        JsonNode counts;
        try (InputStream in = ConvNeXtComplexityTest.class.getResourceAsStream("/v2-fixtures/v2_param_counts.json")) {
            counts = new ObjectMapper().readTree(in);
        }
        List<String> checked = new ArrayList<>();
        counts.get("timm_1000_classes").fields().forEachRemaining(e -> {
            checked.add(e.getKey());
            ConvNeXtConfig config = ConvNeXtVariants.get(e.getKey());
            assertEquals(e.getValue().get("params").asLong(), ConvNeXtComplexity.totalParams(config), e.getKey());
            assertEquals(e.getValue().get("dims").toString(), config.dims().toString().replace(" ", ""), e.getKey());
            assertEquals(e.getValue().get("depths").toString(), config.depths().toString().replace(" ", ""), e.getKey());
        });
        assertEquals(9, checked.size(), checked.toString());
        assertEquals(28_635_496L, ConvNeXtComplexity.totalParams(ConvNeXtVariants.get("convnextv2_tiny")));
        assertEquals(counts.get("test_config").get("params").asLong(),
                ConvNeXtComplexity.totalParams(ConvNeXtVariants.get(ConvNeXtVariants.TEST_V2).withNumClasses(7)));
    }

    @Test
    void countsAgreeWithABuiltNetwork() {
        for (String name : List.of(ConvNeXtVariants.TEST, "convnext_atto", "convnext_tiny", ConvNeXtVariants.TEST_V2, "convnextv2_atto")) {
            ConvNeXtConfig config = ConvNeXtVariants.get(name);
            ComputationGraph graph = ConvNeXtGraph.create(config, 32, 1, DataType.FLOAT, new NoOp());
            assertEquals(ConvNeXtComplexity.totalParams(config), graph.numParams(), name);
        }
        ConvNeXtConfig noLayerScale = ConvNeXtVariants.get(ConvNeXtVariants.TEST).withLayerScaleInit(0);
        assertEquals(ConvNeXtComplexity.totalParams(noLayerScale),
                ConvNeXtGraph.create(noLayerScale, 32, 1, DataType.FLOAT, new NoOp()).numParams());
    }

    @Test
    void tinyAt224Is4Point46GigaMacs() {
        long macs = ConvNeXtComplexity.totalMacs(ConvNeXtVariants.get("convnext_tiny"), 224);
        assertEquals(4.46e9, macs, 0.005e9);
    }

    @Test
    void stageShapesFollowStrides4To32() {
        List<ConvNeXtComplexity.Part> parts = ConvNeXtComplexity.parts(ConvNeXtVariants.get("convnext_tiny"), 224);
        assertEquals(List.of(56L, 56L, 28L, 14L, 7L), parts.subList(0, 5).stream().map(ConvNeXtComplexity.Part::height).toList());
        assertEquals(List.of(96L, 96L, 192L, 384L, 768L, 1000L), parts.stream().map(ConvNeXtComplexity.Part::channels).toList());
    }
}
