package org.convnext4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class ConvNeXtComplexityTest {

    /** PyTorch's sum(p.numel()) for the reference models with a 1000-class head (fixtures/param_counts.json). */
    private static final Map<String, Long> PYTORCH_PARAMS = Map.of(
            "convnext_atto", 3_695_520L,
            "convnext_femto", 5_217_784L,
            "convnext_pico", 9_045_672L,
            "convnext_nano", 15_593_560L,
            "convnext_tiny", 28_589_128L,
            "convnext_small", 50_223_688L,
            "convnext_base", 88_591_464L,
            "convnext_large", 197_767_336L,
            "convnext_xlarge", 350_196_968L);

    @Test
    void parameterCountsEqualPyTorch() {
        PYTORCH_PARAMS.forEach((name, expected) ->
                assertEquals(expected, ConvNeXtComplexity.totalParams(ConvNeXtVariants.get(name)), name));
    }

    @Test
    void countsAgreeWithABuiltNetwork() {
        for (String name : List.of(ConvNeXtVariants.TEST, "convnext_atto", "convnext_tiny")) {
            ConvNeXtConfig config = ConvNeXtVariants.get(name);
            ComputationGraph graph = ConvNeXtGraph.create(config, 32, 1, DataType.FLOAT);
            assertEquals(ConvNeXtComplexity.totalParams(config), graph.numParams(), name);
        }
        ConvNeXtConfig noLayerScale = ConvNeXtVariants.get(ConvNeXtVariants.TEST).withLayerScaleInit(0);
        assertEquals(ConvNeXtComplexity.totalParams(noLayerScale),
                ConvNeXtGraph.create(noLayerScale, 32, 1, DataType.FLOAT).numParams());
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
