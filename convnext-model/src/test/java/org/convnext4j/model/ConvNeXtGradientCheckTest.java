package org.convnext4j.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.convnext4j.model.layers.ConvNeXtBlock;
import org.convnext4j.model.layers.ConvNeXtDownsample;
import org.convnext4j.model.layers.ConvNeXtHead;
import org.convnext4j.model.layers.ConvNeXtStem;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * DL4J's GradientCheckUtil in double precision, on each custom layer and on a whole network with
 * every layer stacked, so an error in a layer's gradient, or in how gradients pass between layers
 * (DL4J's doubled SameDiff gradient compounds with depth), fails. The checker visits every
 * parameter, so the networks are kept narrow.
 */
@ExtendWith(DoublePrecision.class)
class ConvNeXtGradientCheckTest {

    private static final int CLASSES = 3;
    @Test
    void wholeNetwork() {
        // Large layer scale so the branches matter; no drop path, as a gradient check needs determinism.
        ConvNeXtConfig config = new ConvNeXtConfig(List.of(1, 1, 2, 1), List.of(4, 4, 8, 8), false, 0.0, 0.7, 1.0, CLASSES);
        ComputationGraph graph = new ComputationGraph(ConvNeXtGraph.configuration(config, 32, 42, DataType.DOUBLE, new NoOp()));
        graph.init();
        assertGradientsMatch(graph, Nd4j.randn(DataType.DOUBLE, 2, 3, 32, 32));
    }

    /** DL4J's generic SameDiff runtime got a batch of one wrong; the hand-written runtimes must not. */
    @Test
    void wholeNetworkAtBatchOne() {
        ConvNeXtConfig config = new ConvNeXtConfig(List.of(1, 1, 1, 1), List.of(4, 4, 4, 4), false, 0.0, 0.7, 1.0, CLASSES);
        ComputationGraph graph = new ComputationGraph(ConvNeXtGraph.configuration(config, 32, 42, DataType.DOUBLE, new NoOp()));
        graph.init();
        assertGradientsMatch(graph, Nd4j.randn(DataType.DOUBLE, 1, 3, 32, 32));
    }

    /** ConvNeXt V2: GRN in every block, no layer scale; a batch of two, so GRN's per-sample statistics are checked. */
    @Test
    void wholeV2Network() {
        // One block per stage keeps the check (every parameter, twice) at the V1 at-batch-one network's size.
        ConvNeXtConfig config = new ConvNeXtConfig(List.of(1, 1, 1, 1), List.of(4, 4, 4, 4), true, 0.0, 0.0, 1.0, CLASSES);
        ComputationGraph graph = new ComputationGraph(ConvNeXtGraph.configuration(config, 32, 42, DataType.DOUBLE, new NoOp()));
        graph.init();
        assertGradientsMatch(graph, Nd4j.randn(DataType.DOUBLE, 2, 3, 32, 32));
    }

    @Test
    void v2Block() {
        assertGradientsMatch(singleLayer(new ConvNeXtBlock(4, true, 0.0, 0.0), InputType.convolutional(5, 6, 4, CNN2DFormat.NHWC), 4),
                Nd4j.randn(DataType.DOUBLE, 3, 5, 6, 4));
    }

    /** A channel whose activations are all zero in a sample: GRN's norm is 0 there, and its gradient must stay finite. */
    @Test
    void v2BlockWithAZeroNorm() {
        ComputationGraph graph = singleLayer(new ConvNeXtBlock(4, true, 0.0, 0.0), InputType.convolutional(5, 6, 4, CNN2DFormat.NHWC), 4);
        INDArray input = Nd4j.randn(DataType.DOUBLE, 2, 5, 6, 4);
        assertGradientsMatch(graph, input);
        // fc1's first column and bias made very negative: GELU's output in that hidden channel is exactly 0 everywhere
        graph.getLayer("layer").getParam(ConvNeXtBlock.FC1_WEIGHT).getColumn(0).assign(0);
        graph.getLayer("layer").getParam(ConvNeXtBlock.FC1_BIAS).putScalar(0, -60);
        graph.setInputs(input);
        graph.setLabels(Nd4j.createFromArray(new double[][] {{1, 0, 0}, {0, 1, 0}}));
        graph.computeGradientAndScore();
        assertTrue(Double.isFinite(graph.gradient().gradient().sumNumber().doubleValue()), "finite gradient with a zero GRN norm");
    }

    @Test
    void stem() {
        assertGradientsMatch(singleLayer(new ConvNeXtStem(3, 4), InputType.convolutional(8, 8, 3), 4),
                Nd4j.randn(DataType.DOUBLE, 2, 3, 8, 8));
    }

    @Test
    void block() {
        assertGradientsMatch(singleLayer(new ConvNeXtBlock(4, false, 0.7, 0.0), InputType.convolutional(5, 6, 4, CNN2DFormat.NHWC), 4),
                Nd4j.randn(DataType.DOUBLE, 2, 5, 6, 4));
    }

    @Test
    void blockWithoutLayerScale() {
        assertGradientsMatch(singleLayer(new ConvNeXtBlock(4, false, 0.0, 0.0), InputType.convolutional(5, 6, 4, CNN2DFormat.NHWC), 4),
                Nd4j.randn(DataType.DOUBLE, 2, 5, 6, 4));
    }

    @Test
    void downsample() {
        assertGradientsMatch(singleLayer(new ConvNeXtDownsample(3, 5), InputType.convolutional(4, 6, 3, CNN2DFormat.NHWC), 5),
                Nd4j.randn(DataType.DOUBLE, 2, 4, 6, 3));
    }

    /** {@code layer} followed by a head (its gradient is checked in every case) and a softmax loss. */
    private static ComputationGraph singleLayer(Layer layer, InputType inputType, int outDim) {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .seed(3).dataType(DataType.DOUBLE).updater(new NoOp()).graphBuilder()
                .addInputs("in").setInputTypes(inputType)
                .addLayer("layer", layer, "in")
                .addLayer("head", new ConvNeXtHead(outDim, CLASSES, 1.0), "layer")
                .addLayer("out", new LossLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).build(), "head")
                .setOutputs("out").build());
        graph.init();
        return graph;
    }

    private static void assertGradientsMatch(ComputationGraph graph, INDArray input) {
        // Move every parameter off its initial value (norm weights 1, biases 0) so all terms are exercised.
        Nd4j.getRandom().setSeed(7);
        INDArray params = graph.params();
        params.addi(Nd4j.randn(DataType.DOUBLE, params.shape()).muli(0.3));
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, input.size(0), CLASSES);
        for (int i = 0; i < input.size(0); i++) {
            labels.putScalar(i, i % CLASSES, 1.0);
        }
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                .net(graph).inputs(new INDArray[] {input}).labels(new INDArray[] {labels})
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
        assertTrue(ok, "gradient check failed; the log names the failing parameters");
    }
}
