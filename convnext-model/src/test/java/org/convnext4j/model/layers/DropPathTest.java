package org.convnext4j.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

class DropPathTest {

    private static final int SAMPLES = 20_000;

    @Test
    void dropsWholeSamplesAtTheRateAndPreservesTheExpectation() {
        double rate = 0.3;
        DropPath dropPath = new DropPath(rate);
        Nd4j.getRandom().setSeed(5);
        INDArray input = Nd4j.ones(DataType.DOUBLE, SAMPLES, 2, 3, 4);
        INDArray out = dropPath.applyDropout(input, Nd4j.create(DataType.DOUBLE, input.shape()), 0, 0, LayerWorkspaceMgr.noWorkspaces());

        int dropped = 0;
        double sum = 0;
        for (int i = 0; i < SAMPLES; i++) {
            INDArray sample = out.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i));
            double first = sample.getDouble(0, 0, 0);
            // a sample is either wholly dropped or wholly scaled by 1/(1-p)
            assertEquals(first * sample.length(), sample.sumNumber().doubleValue(), 1e-9, "sample " + i + " mixed");
            if (first == 0) {
                dropped++;
            } else {
                assertEquals(1 / (1 - rate), first, 1e-12);
            }
            sum += first;
        }
        double sigma = Math.sqrt(SAMPLES * rate * (1 - rate));
        assertTrue(Math.abs(dropped - SAMPLES * rate) < 4 * sigma, "dropped " + dropped + " of " + SAMPLES);
        double mean = sum / SAMPLES;
        double meanSigma = Math.sqrt(rate / (1 - rate) / SAMPLES);
        assertTrue(Math.abs(mean - 1.0) < 4 * meanSigma, "mean " + mean + " should be 1");
    }

    @Test
    void backpropUsesTheForwardMask() {
        DropPath dropPath = new DropPath(0.5);
        Nd4j.getRandom().setSeed(6);
        INDArray input = Nd4j.rand(DataType.DOUBLE, 64, 5).addi(1);
        INDArray out = dropPath.applyDropout(input, Nd4j.create(DataType.DOUBLE, input.shape()), 0, 0, LayerWorkspaceMgr.noWorkspaces());
        INDArray grad = dropPath.backprop(Nd4j.ones(DataType.DOUBLE, 64, 5), Nd4j.create(DataType.DOUBLE, 64, 5), 0, 0);
        // d(out)/d(in) is the per-sample factor, which out/in reveals
        assertEquals(0.0, out.div(input).sub(grad).amaxNumber().doubleValue(), 1e-12);
        assertThrows(IllegalStateException.class,
                () -> dropPath.backprop(Nd4j.ones(DataType.DOUBLE, 64, 5), Nd4j.create(DataType.DOUBLE, 64, 5), 0, 0));
    }

    @Test
    void rejectsRatesOutsideZeroToOne() {
        assertThrows(IllegalArgumentException.class, () -> new DropPath(1.0));
        assertThrows(IllegalArgumentException.class, () -> new DropPath(-0.1));
    }

    @Test
    void networkRatesRiseLinearlyAndInferenceIsDeterministic() {
        ConvNeXtConfig config = new ConvNeXtConfig(List.of(1, 1, 2, 1), List.of(8, 8, 8, 8), 0.4, 1.0, 1.0, 3);
        assertEquals(0.0, config.dropPathRateOf(0));
        assertEquals(0.2, config.dropPathRateOf(2), 1e-12);
        assertEquals(0.4, config.dropPathRateOf(4), 1e-12);
        ComputationGraph graph = new ComputationGraph(ConvNeXtGraph.configuration(config, 32, 1, DataType.FLOAT, new NoOp()));
        graph.init();
        assertTrue(graph.getVertex(ConvNeXtGraph.dropPath(0, 0)) == null, "the first block has rate 0 and no drop path");
        INDArray input = Nd4j.randn(DataType.FLOAT, 16, 3, 32, 32);
        INDArray first = graph.outputSingle(false, input);
        INDArray second = graph.outputSingle(false, input);
        assertEquals(first, second, "inference must not drop paths");
        // in training mode the same input gives different activations: paths are dropped at random
        INDArray trainA = graph.feedForward(input, true).get(ConvNeXtGraph.HEAD);
        INDArray trainB = graph.feedForward(input, true).get(ConvNeXtGraph.HEAD);
        assertTrue(trainA.sub(trainB).amaxNumber().doubleValue() > 1e-4, "training mode should drop paths");
    }
}
