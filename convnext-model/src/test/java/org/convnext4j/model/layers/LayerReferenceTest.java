package org.convnext4j.model.layers;

import static org.convnext4j.testsupport.ArrayAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.DoublePrecision;
import org.convnext4j.model.Vertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/** Each layer's output in a whole network equals {@link PlainReference} applied to that layer's actual input. */
@ExtendWith(DoublePrecision.class)
class LayerReferenceTest {

    private static final double TOLERANCE = 1e-10;
    @Test
    void everyLayerMatchesThePlainLoopReference() {
        ConvNeXtConfig config = new ConvNeXtConfig(List.of(1, 1, 2, 1), List.of(8, 16, 24, 32), false, 0.0, 0.5, 1.0, 7);
        ComputationGraph graph = new ComputationGraph(ConvNeXtGraph.configuration(config, 40, 1, DataType.DOUBLE, new NoOp()));
        graph.init();
        Nd4j.getRandom().setSeed(11);
        graph.params().addi(Nd4j.randn(DataType.DOUBLE, graph.params().shape()).muli(0.2));
        INDArray input = Nd4j.randn(DataType.DOUBLE, 2, 3, 40, 40);
        Map<String, INDArray> acts = graph.feedForward(input, false);

        double[][][][] x = PlainReference.toNhwc(input.permute(0, 2, 3, 1));
        double[][][][] stem = PlainReference.layerNorm(
                PlainReference.patchConv(x, param(graph, Vertex.STEM.name(), ConvNeXtStem.CONV_WEIGHT),
                        param(graph, Vertex.STEM.name(), ConvNeXtStem.CONV_BIAS), 4),
                param(graph, Vertex.STEM.name(), ConvNeXtStem.NORM_WEIGHT), param(graph, Vertex.STEM.name(), ConvNeXtStem.NORM_BIAS));
        assertClose(PlainReference.fromNhwc(stem), acts.get(Vertex.STEM.name()), TOLERANCE, "stem");

        String previousVertex = Vertex.STEM.name();
        for (int s = 0; s < 4; s++) {
            if (s > 0) {
                String ds = Vertex.downsample(s).name();
                double[][][][] normed = PlainReference.layerNorm(PlainReference.toNhwc(acts.get(previousVertex)),
                        param(graph, ds, ConvNeXtDownsample.NORM_WEIGHT), param(graph, ds, ConvNeXtDownsample.NORM_BIAS));
                double[][][][] down = PlainReference.patchConv(normed, param(graph, ds, ConvNeXtDownsample.CONV_WEIGHT),
                        param(graph, ds, ConvNeXtDownsample.CONV_BIAS), 2);
                assertClose(PlainReference.fromNhwc(down), acts.get(ds), TOLERANCE, ds);
                previousVertex = ds;
            }
            for (int b = 0; b < config.depths().get(s); b++) {
                String block = Vertex.block(s, b).name();
                double[][][][] branch = PlainReference.blockBranch(PlainReference.toNhwc(acts.get(previousVertex)),
                        params(graph, block), true);
                assertClose(acts.get(previousVertex).add(PlainReference.fromNhwc(branch)), acts.get(block), TOLERANCE, block + " (branch + residual)");
                previousVertex = block;
            }
        }
        double[][] logits = PlainReference.head(PlainReference.toNhwc(acts.get(previousVertex)), params(graph, Vertex.HEAD.name()));
        assertClose(Nd4j.create(logits), acts.get(Vertex.HEAD.name()), TOLERANCE, "head");
    }

    @Test
    void blockWithoutLayerScaleHasNoGammaAndMatchesReference() {
        ComputationGraph graph = new ComputationGraph(ConvNeXtGraph.configuration(
                new ConvNeXtConfig(List.of(1, 1, 1, 1), List.of(8, 8, 8, 8), false, 0.0, 0.0, 1.0, 3), 32, 1, DataType.DOUBLE, new NoOp()));
        graph.init();
        String block = Vertex.block(0, 0).name();
        assertTrue(!params(graph, block).containsKey(ConvNeXtBlock.GAMMA), "no gamma parameter without layer scale");
        Nd4j.getRandom().setSeed(12);
        graph.params().addi(Nd4j.randn(DataType.DOUBLE, graph.params().shape()).muli(0.2));
        Map<String, INDArray> acts = graph.feedForward(Nd4j.randn(DataType.DOUBLE, 1, 3, 32, 32), false);
        double[][][][] branch = PlainReference.blockBranch(PlainReference.toNhwc(acts.get(Vertex.STEM.name())),
                params(graph, block), false);
        assertClose(acts.get(Vertex.STEM.name()).add(PlainReference.fromNhwc(branch)), acts.get(block), TOLERANCE, block);
    }

    private static INDArray param(ComputationGraph graph, String vertex, String key) {
        return graph.getParam(vertex + "_" + key);
    }

    private static Map<String, INDArray> params(ComputationGraph graph, String vertex) {
        return new HashMap<>(graph.getVertex(vertex).paramTable(false));
    }
}
