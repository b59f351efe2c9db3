package org.convnext4j.model.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.ConvNeXtVariants;
import org.convnext4j.model.Vertex;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class ScheduleAndLayerDecayTest {

    @Test
    void warmupIsNumpyLinspaceThenCosineToTheEnd() {
        WarmupCosineSchedule s = new WarmupCosineSchedule(4e-3, 1e-6, 5, 25);
        assertEquals(0.0, s.valueAt(0, 0));
        assertEquals(1e-3, s.valueAt(1, 0), 1e-15);     // linspace(0, 4e-3, 5)[1]
        assertEquals(4e-3, s.valueAt(4, 0), 1e-15);     // the last warm-up step is at base
        assertEquals(4e-3, s.valueAt(5, 0), 1e-15);     // cos(0)
        assertEquals((4e-3 + 1e-6) / 2, s.valueAt(15, 0), 1e-15);
        assertEquals(1e-6 + 0.5 * (4e-3 - 1e-6) * (1 + Math.cos(Math.PI * 19 / 20)), s.valueAt(24, 0), 1e-15);
        assertEquals(1e-6, s.valueAt(25, 0));
        assertEquals(1e-6, s.valueAt(1000, 0));
        assertEquals(2e-3, s.scaled(0.5).valueAt(5, 0), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> new WarmupCosineSchedule(1, 0, 10, 10));
    }

    @Test
    void groupsFollowTheOfficialAssignment() {
        assertEquals(0, LayerDecay.group(Vertex.STEM));
        assertEquals(1, LayerDecay.group(Vertex.block(0, 2)));
        assertEquals(2, LayerDecay.group(Vertex.downsample(1)));
        assertEquals(2, LayerDecay.group(Vertex.block(1, 1)));
        assertEquals(3, LayerDecay.group(Vertex.downsample(2)));
        assertEquals(3, LayerDecay.group(Vertex.block(2, 2)));
        assertEquals(4, LayerDecay.group(Vertex.block(2, 3)));
        assertEquals(11, LayerDecay.group(Vertex.block(2, 26)));
        assertEquals(12, LayerDecay.group(Vertex.downsample(3)));
        assertEquals(12, LayerDecay.group(Vertex.block(3, 2)));
        assertEquals(13, LayerDecay.group(Vertex.HEAD));
        assertEquals(Math.pow(0.8, 13), LayerDecay.scale(Vertex.STEM, 0.8), 1e-15);
        assertEquals(1.0, LayerDecay.scale(Vertex.HEAD, 0.8));
    }

    /** ConvNeXt V2's {@code single} numbering, for atto's 12 blocks: the stem 1, each block its own, the head 13. */
    @Test
    void singleSchemeNumbersEveryBlock() {
        List<Integer> atto = List.of(2, 2, 6, 2);
        assertEquals(Math.pow(0.9, 12), LayerDecay.scale(LayerDecay.Scheme.SINGLE, Vertex.STEM, 0.9, atto), 1e-15);
        assertEquals(Math.pow(0.9, 11), LayerDecay.scale(LayerDecay.Scheme.SINGLE, Vertex.block(0, 1), 0.9, atto), 1e-15);
        assertEquals(Math.pow(0.9, 10), LayerDecay.scale(LayerDecay.Scheme.SINGLE, Vertex.downsample(1), 0.9, atto), 1e-15);
        assertEquals(Math.pow(0.9, 10), LayerDecay.scale(LayerDecay.Scheme.SINGLE, Vertex.block(1, 0), 0.9, atto), 1e-15);
        assertEquals(Math.pow(0.9, 3), LayerDecay.scale(LayerDecay.Scheme.SINGLE, Vertex.block(2, 5), 0.9, atto), 1e-15);
        assertEquals(Math.pow(0.9, 1), LayerDecay.scale(LayerDecay.Scheme.SINGLE, Vertex.block(3, 1), 0.9, atto), 1e-15);
        assertEquals(1.0, LayerDecay.scale(LayerDecay.Scheme.SINGLE, Vertex.HEAD, 0.9, atto));
        assertEquals(LayerDecay.scale(Vertex.block(2, 4), 0.8), LayerDecay.scale(LayerDecay.Scheme.GROUP, Vertex.block(2, 4), 0.8, atto));
    }

    @Test
    void eachLayerGetsItsScaledScheduleAndTheConfigurationSurvivesJson() {
        ConvNeXtConfig config = ConvNeXtVariants.get("convnext_tiny").withNumClasses(10);
        ComputationGraphConfiguration conf = ConvNeXtGraph.configuration(config, 32, 0, DataType.FLOAT,
                new AdamW(1e-3, 1e-6, 100, 1000, 0.9, 0.999, 1e-8, 0.05, 0.1, 0.8, LayerDecay.Scheme.GROUP, 0).perLayer(config));
        assertEquals(1e-3 * Math.pow(0.8, 13), learningRateAt(conf, Vertex.STEM, 100), 1e-15);
        assertEquals(1e-3 * Math.pow(0.8, 13 - 4), learningRateAt(conf, Vertex.block(2, 4), 100), 1e-15);
        assertEquals(1e-3, learningRateAt(conf, Vertex.HEAD, 100), 1e-15);
        assertEquals(conf, ComputationGraphConfiguration.fromJson(conf.toJson()));
    }

    @Test
    void frozenStagesGetNoStepAndTheRestTheirDecayedSchedule() {
        ConvNeXtConfig config = ConvNeXtVariants.get("convnext_test").withNumClasses(3);
        ComputationGraphConfiguration conf = ConvNeXtGraph.configuration(config, 32, 0, DataType.FLOAT,
                new AdamW(1e-3, 1e-6, 10, 100, 0.9, 0.999, 1e-8, 0.05, 0.05, 1.0, LayerDecay.Scheme.GROUP, 2).perLayer(config));
        assertEquals(0.0, learningRateAt(conf, Vertex.STEM, 50));
        assertEquals(0.0, learningRateAt(conf, Vertex.block(1, 0), 50));
        assertEquals(new WarmupCosineSchedule(1e-3, 1e-6, 10, 100).valueAt(50, 0), learningRateAt(conf, Vertex.block(2, 0), 50), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> new AdamW(1e-3, 1e-2, 10, 100, 0.9, 0.999, 1e-8, 0.05, 0.05, 1.0, LayerDecay.Scheme.GROUP, 0));
        assertThrows(IllegalArgumentException.class, () -> new AdamW(1e-3, 1e-6, 100, 100, 0.9, 0.999, 1e-8, 0.05, 0.05, 1.0, LayerDecay.Scheme.GROUP, 0));
    }

    private static double learningRateAt(ComputationGraphConfiguration conf, Vertex vertex, int step) {
        AbstractSameDiffLayer layer = (AbstractSameDiffLayer) ((LayerVertex) conf.getVertices().get(vertex.name())).getLayerConf().getLayer();
        return layer.getUpdater().getLearningRate(step, 0);
    }
}
