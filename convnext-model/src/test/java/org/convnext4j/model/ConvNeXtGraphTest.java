package org.convnext4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;

class ConvNeXtGraphTest {

    @Test
    void testVariantForwardGivesFiniteProbabilitiesOfTheRightShape() {
        ComputationGraph graph = ConvNeXtGraph.create(ConvNeXtVariants.get(ConvNeXtVariants.TEST).withNumClasses(10), 64, 3, DataType.FLOAT, new NoOp());
        INDArray probs = graph.outputSingle(false, Nd4j.randn(DataType.FLOAT, 3, 3, 64, 64));
        assertArrayEquals(new long[] {3, 10}, probs.shape());
        assertTrue(probs.isMatrix() && !probs.isInfinite().any() && !probs.isNaN().any());
        assertEquals(3.0, probs.sumNumber().doubleValue(), 1e-4, "softmax rows sum to 1");
    }

    @Test
    void aBatchOfOneGivesTheSameLogitsAsItsRowInABatch() {
        ComputationGraph graph = ConvNeXtGraph.create(ConvNeXtVariants.get(ConvNeXtVariants.TEST).withNumClasses(5), 32, 3, DataType.FLOAT, new NoOp());
        INDArray batch = Nd4j.randn(DataType.FLOAT, 3, 3, 32, 32);
        INDArray together = ConvNeXtGraph.logits(graph, batch);
        INDArray alone = ConvNeXtGraph.logits(graph, batch.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)).dup());
        assertEquals(0.0, together.getRow(0).sub(alone.getRow(0)).amaxNumber().doubleValue(), 1e-5);
    }

    @Test
    void stageFeaturesHaveStrides4To32InNchw() {
        ConvNeXtConfig config = ConvNeXtVariants.get(ConvNeXtVariants.TEST);
        ComputationGraph graph = ConvNeXtGraph.create(config, 64, 3, DataType.FLOAT, new NoOp());
        List<INDArray> features = ConvNeXtGraph.stageFeatures(graph, config, Nd4j.randn(DataType.FLOAT, 2, 3, 64, 64));
        assertArrayEquals(new long[] {2, 8, 16, 16}, features.get(0).shape());
        assertArrayEquals(new long[] {2, 16, 8, 8}, features.get(1).shape());
        assertArrayEquals(new long[] {2, 24, 4, 4}, features.get(2).shape());
        assertArrayEquals(new long[] {2, 32, 2, 2}, features.get(3).shape());
    }

    @Test
    void configurationSurvivesJson() {
        ConvNeXtConfig config = ConvNeXtVariants.get(ConvNeXtVariants.TEST).withDropPathRate(0.2).withNumClasses(4);
        ComputationGraphConfiguration original = ConvNeXtGraph.configuration(config, 64, 9, DataType.FLOAT, new Adam(1e-3));
        ComputationGraphConfiguration restored = ComputationGraphConfiguration.fromJson(original.toJson());
        assertEquals(original, restored);
        assertEquals(original.toJson(), restored.toJson());
    }

    /** Every ConvNeXt layer is updated as the caller says; nothing picks an optimizer for it. */
    @Test
    void everyLayerIsUpdatedAsTheCallerSays() {
        ConvNeXtConfig config = ConvNeXtVariants.get(ConvNeXtVariants.TEST);
        ComputationGraph adam = ConvNeXtGraph.create(config, 32, 1, DataType.FLOAT, new Adam(2e-3));
        for (Vertex vertex : Vertex.all(config)) {
            AbstractSameDiffLayer layer = (AbstractSameDiffLayer) adam.getLayer(vertex.name()).conf().getLayer();
            assertEquals(new Adam(2e-3), layer.getUpdater(), vertex.name());
        }
        assertEquals(2 * adam.numParams(), adam.getUpdater().getStateViewArray().length(), "Adam's two moments per parameter");
        ComputationGraph runOnly = ConvNeXtGraph.create(config, 32, 1, DataType.FLOAT, new NoOp());
        INDArray state = runOnly.getUpdater().getStateViewArray();
        assertTrue(state == null || state.length() == 0, "a network that is only run holds no optimizer state");
    }

    @Test
    void initialisationFollowsTheReference() {
        ConvNeXtConfig config = ConvNeXtVariants.get("convnext_atto").withHeadInitScale(0.001).withLayerScaleInit(1e-6);
        ComputationGraph graph = ConvNeXtGraph.create(config, 32, 4, DataType.FLOAT, new NoOp());
        INDArray fc1 = graph.getParam(Vertex.block(2, 0).name() + "_fc1W");
        assertEquals(0.02, fc1.stdNumber().doubleValue(), 0.001, "trunc_normal std 0.02");
        assertEquals(0.0, fc1.meanNumber().doubleValue(), 0.001);
        INDArray gamma = graph.getParam(Vertex.block(2, 0).name() + "_gamma");
        assertEquals((double) 1e-6f, gamma.minNumber().doubleValue());
        assertEquals((double) 1e-6f, gamma.maxNumber().doubleValue());
        assertEquals(1.0, graph.getParam(Vertex.STEM.name() + "_normW").minNumber().doubleValue());
        assertEquals(0.0, graph.getParam(Vertex.block(2, 0).name() + "_fc1B").amaxNumber().doubleValue());
        assertEquals(0.02 * 0.001, graph.getParam(Vertex.HEAD.name() + "_fcW").stdNumber().doubleValue(), 0.002 * 0.001,
                "head weights scaled by head_init_scale");
    }

    @Test
    void rejectsInvalidConfigurations() {
        assertThrows(IllegalArgumentException.class, () -> ConvNeXtVariants.get("convnext_huge"));
        assertThrows(IllegalArgumentException.class,
                () -> new ConvNeXtConfig(List.of(1, 1, 1), List.of(8, 8, 8), false, 0, 0, 1, 10));
        assertThrows(IllegalArgumentException.class,
                () -> ConvNeXtVariants.get("convnext_tiny").withDropPathRate(1.0));
        assertThrows(IllegalArgumentException.class,
                () -> ConvNeXtGraph.create(ConvNeXtVariants.get(ConvNeXtVariants.TEST), 16, 1, DataType.FLOAT, new NoOp()));
    }
}
