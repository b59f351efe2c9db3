package org.convnext4j.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.Vertex;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;

/** Stochastic depth in the network: rates per block, and a block that drops its branch per sample in training only. */
class StochasticDepthTest {

    @Test
    void rejectsRatesOutsideZeroToOne() {
        assertThrows(IllegalArgumentException.class, () -> new ConvNeXtBlock(8, false, 1e-6, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new ConvNeXtBlock(8, false, 1e-6, -0.1));
    }

    @Test
    void networkRatesRiseLinearlyFromZero() {
        ConvNeXtConfig config = new ConvNeXtConfig(List.of(1, 1, 2, 1), List.of(8, 8, 8, 8), false, 0.4, 1.0, 1.0, 3);
        ComputationGraph graph = new ComputationGraph(ConvNeXtGraph.configuration(config, 32, 1, DataType.FLOAT, new NoOp()));
        graph.init();
        assertEquals(0.0, rateOf(graph, Vertex.block(0, 0)), "the first block has rate 0");
        assertEquals(0.2, rateOf(graph, Vertex.block(2, 0)), 1e-12);
        assertEquals(0.4, rateOf(graph, Vertex.block(3, 0)), 1e-12);
    }

    /** In training a block's output is, per sample, its input (branch dropped) or input + branch/(1 − rate). */
    @Test
    void aBlockDropsItsBranchPerSampleInTrainingOnly() {
        double rate = 0.4;
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .seed(3).dataType(DataType.FLOAT).updater(new NoOp()).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(5, 6, 8, CNN2DFormat.NHWC))
                .addLayer("block", new ConvNeXtBlock(8, false, 0.5, rate), "in")
                .setOutputs("block").build());
        graph.init();
        int samples = 32;
        INDArray input = Nd4j.randn(DataType.FLOAT, samples, 5, 6, 8);
        INDArray inference = graph.outputSingle(false, input);
        assertEquals(inference, graph.outputSingle(false, input), "inference must not drop paths");
        Nd4j.getRandom().setSeed(7);
        INDArray training = graph.feedForward(input, true).get("block");
        int dropped = 0;
        for (int i = 0; i < samples; i++) {
            INDArray x = input.get(NDArrayIndex.point(i));
            INDArray branch = training.get(NDArrayIndex.point(i)).sub(x);
            INDArray fullBranch = inference.get(NDArrayIndex.point(i)).sub(x);
            if (branch.amaxNumber().doubleValue() == 0) {
                dropped++;
            } else {
                assertEquals(0, branch.sub(fullBranch.div(1 - rate)).amaxNumber().doubleValue(), 1e-5, "sample " + i);
            }
        }
        assertTrue(dropped > 0 && dropped < samples, dropped + " of " + samples + " samples dropped at rate " + rate);
    }

    private static double rateOf(ComputationGraph graph, Vertex vertex) {
        LayerVertex layer = (LayerVertex) graph.getConfiguration().getVertices().get(vertex.name());
        return ((ConvNeXtBlock) layer.getLayerConf().getLayer()).getDropPathRate();
    }

    /**
     * The seed ND4J's generator was last given (the training loop sets one per micro-batch) decides
     * which samples drop; another pass without a new seed draws again.
     */
    @Test
    void theSeedGivenToNd4jsGeneratorDecidesWhichSamplesDrop() {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .seed(3).dataType(DataType.FLOAT).updater(new NoOp()).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(2, 2, 8, CNN2DFormat.NHWC))
                .addLayer("block", new ConvNeXtBlock(8, false, 0.5, 0.5), "in")
                .setOutputs("block").build());
        graph.init();
        INDArray input = Nd4j.randn(DataType.FLOAT, 64, 2, 2, 8);
        Nd4j.getRandom().setSeed(11);
        INDArray first = graph.feedForward(input, true).get("block").dup();
        assertTrue(first.neq(graph.feedForward(input, true).get("block")).any(), "a pass without a new seed draws again");
        Nd4j.getRandom().setSeed(12);
        assertTrue(first.neq(graph.feedForward(input, true).get("block")).any(), "another seed, other samples");
        Nd4j.getRandom().setSeed(11);
        assertEquals(first, graph.feedForward(input, true).get("block"), "the first seed again, the same samples");
    }
}
