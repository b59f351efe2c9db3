package org.convnext4j.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
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

class DropPathTest {

    private static final int SAMPLES = 20_000;

    @Test
    void dropsWholeSamplesAtTheRateAndPreservesTheExpectation() {
        double rate = 0.3;
        Nd4j.getRandom().setSeed(5);
        DropPath dropPath = DropPath.sample(rate, SAMPLES, 4);
        int dropped = 0;
        double sum = 0;
        for (int i = 0; i < SAMPLES; i++) {
            double factor = dropPath.factor(4L * i);
            for (int row = 1; row < 4; row++) {
                assertEquals(factor, dropPath.factor(4L * i + row), "rows of sample " + i + " mixed");
            }
            if (factor == 0) {
                dropped++;
            } else {
                assertEquals(1 / (1 - rate), factor, 1e-12);
            }
            sum += factor;
        }
        double sigma = Math.sqrt(SAMPLES * rate * (1 - rate));
        assertTrue(Math.abs(dropped - SAMPLES * rate) < 4 * sigma, "dropped " + dropped + " of " + SAMPLES);
        double mean = sum / SAMPLES;
        double meanSigma = Math.sqrt(rate / (1 - rate) / SAMPLES);
        assertTrue(Math.abs(mean - 1.0) < 4 * meanSigma, "mean " + mean + " should be 1");
        assertNull(DropPath.sample(0.0, SAMPLES, 4), "rate 0 drops nothing");
    }

    @Test
    void rejectsRatesOutsideZeroToOne() {
        assertThrows(IllegalArgumentException.class, () -> new ConvNeXtBlock(8, 1e-6, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new ConvNeXtBlock(8, 1e-6, -0.1));
    }

    @Test
    void networkRatesRiseLinearlyFromZero() {
        ConvNeXtConfig config = new ConvNeXtConfig(List.of(1, 1, 2, 1), List.of(8, 8, 8, 8), 0.4, 1.0, 1.0, 3);
        ComputationGraph graph = new ComputationGraph(ConvNeXtGraph.configuration(config, 32, 1, DataType.FLOAT, new NoOp()));
        graph.init();
        assertEquals(0.0, rateOf(graph, ConvNeXtGraph.block(0, 0)), "the first block has rate 0");
        assertEquals(0.2, rateOf(graph, ConvNeXtGraph.block(2, 0)), 1e-12);
        assertEquals(0.4, rateOf(graph, ConvNeXtGraph.block(3, 0)), 1e-12);
    }

    /** In training a block's output is, per sample, its input (branch dropped) or input + branch/(1 − rate). */
    @Test
    void aBlockDropsItsBranchPerSampleInTrainingOnly() {
        double rate = 0.4;
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .seed(3).dataType(DataType.FLOAT).updater(new NoOp()).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(5, 6, 8, CNN2DFormat.NHWC))
                .addLayer("block", new ConvNeXtBlock(8, 0.5, rate), "in")
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

    private static double rateOf(ComputationGraph graph, String vertex) {
        LayerVertex layer = (LayerVertex) graph.getConfiguration().getVertices().get(vertex);
        return ((ConvNeXtBlock) layer.getLayerConf().getLayer()).getDropPathRate();
    }
}
