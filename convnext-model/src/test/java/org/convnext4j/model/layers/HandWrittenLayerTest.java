package org.convnext4j.model.layers;

import static org.convnext4j.testsupport.ArrayAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Each layer's hand-written runtime against its SameDiff definition ({@code defineLayer}) run by
 * DL4J's generic SameDiff runtime: the same outputs and, for a random output gradient, the same
 * gradients for the parameters and the input, in float32, over several batch sizes (the runtimes
 * reuse working arrays by shape), and the same inference output through a whole graph.
 */
class HandWrittenLayerTest {

    /** Max |difference| allowed: the hand-written runtime against DL4J's generic one; relative down to 1e-3, as gradients are small. */
    private static final double TOLERANCE = 2e-5;
    private static final double SCALE_FLOOR = 1e-3;

    private static final int CLASSES = 3;
    private static final String INPUT_GRADIENT = "input gradient";

    @Test
    void stem() {
        assertRuntimeMatchesDefinition(new ConvNeXtStem(3, 8), new ReferenceStem(3, 8), InputType.convolutional(12, 8, 3), false);
    }

    /** A VALID stride-4 convolution leaves out the rows and columns past the last whole patch. */
    @Test
    void stemOnSizesThatAreNotMultiplesOfItsStride() {
        assertRuntimeMatchesDefinition(new ConvNeXtStem(3, 8), new ReferenceStem(3, 8), InputType.convolutional(13, 10, 3), false);
    }

    @Test
    void blockWithLayerScale() {
        assertRuntimeMatchesDefinition(new ConvNeXtBlock(12, false, 0.5, 0.0), new ReferenceBlock(12, 0.5),
                InputType.convolutional(9, 7, 12, CNN2DFormat.NHWC), false);
    }

    @Test
    void blockWithoutLayerScale() {
        assertRuntimeMatchesDefinition(new ConvNeXtBlock(12, false, 0.0, 0.0), new ReferenceBlock(12, 0.0),
                InputType.convolutional(9, 7, 12, CNN2DFormat.NHWC), false);
    }

    /** ConvNeXt V2's block: GRN's statistics per sample, so batches of 3 and 2 check that no sample sees another. */
    @Test
    void v2Block() {
        assertRuntimeMatchesDefinition(new ConvNeXtBlock(12, true, 0.0, 0.0), new ReferenceBlock(12, true, 0.0),
                InputType.convolutional(9, 7, 12, CNN2DFormat.NHWC), false);
        assertRuntimeMatchesDefinition(new ConvNeXtBlock(12, true, 0.0, 0.0), new ReferenceBlock(12, true, 0.0),
                InputType.convolutional(1, 2, 12, CNN2DFormat.NHWC), false);
    }

    /** Under 4×4 the runtime convolves with only the kernel taps that can reach the input. */
    @Test
    void blockOnInputsSmallerThanItsKernel() {
        for (int[] size : new int[][] {{1, 1}, {2, 3}, {3, 2}, {4, 1}}) {
            assertRuntimeMatchesDefinition(new ConvNeXtBlock(12, false, 0.5, 0.0), new ReferenceBlock(12, 0.5),
                    InputType.convolutional(size[0], size[1], 12, CNN2DFormat.NHWC), false);
        }
    }

    @Test
    void downsample() {
        assertRuntimeMatchesDefinition(new ConvNeXtDownsample(6, 10), new ReferenceDownsample(6, 10),
                InputType.convolutional(8, 6, 6, CNN2DFormat.NHWC), false);
    }

    /** Rows and columns past the last whole patch get a zero gradient from the convolution. */
    @Test
    void downsampleOnSizesThatAreNotMultiplesOfItsStride() {
        assertRuntimeMatchesDefinition(new ConvNeXtDownsample(6, 10), new ReferenceDownsample(6, 10),
                InputType.convolutional(7, 5, 6, CNN2DFormat.NHWC), false);
    }

    @Test
    void head() {
        assertRuntimeMatchesDefinition(new ConvNeXtHead(10, CLASSES, 1.0), new ReferenceHead(10, CLASSES, 1.0),
                InputType.convolutional(3, 4, 10, CNN2DFormat.NHWC), true);
    }

    /**
     * Inference lends layers shared scratch arrays; a training pass after it must keep each layer's
     * values in arrays of its own, or blocks of one stage would read each other's in backprop.
     */
    @Test
    void trainingAfterInferenceGivesTheSameGradients() {
        ComputationGraph graph = smallNetwork(2, 1);
        Nd4j.getRandom().setSeed(9);
        INDArray input = Nd4j.randn(DataType.FLOAT, 3, 3, 32, 32);
        INDArray labels = Nd4j.eye(CLASSES).castTo(DataType.FLOAT);
        graph.setInputs(input);
        graph.setLabels(labels);
        graph.computeGradientAndScore();
        INDArray fresh = graph.getGradientsViewArray().dup();

        graph.outputSingle(input);
        graph.setInputs(input);
        graph.setLabels(labels);
        graph.computeGradientAndScore();
        assertClose(fresh, graph.getGradientsViewArray(), TOLERANCE, SCALE_FLOOR, "gradients after an inference pass");
    }

    /** The stem reads the images element by element: a view into a larger batch or an f-order array must read as its values. */
    @Test
    void stemReadsImagesGivenAsAViewOrInFortranOrder() {
        ComputationGraph graph = smallNetwork(1, 3);
        Nd4j.getRandom().setSeed(11);
        INDArray batch = Nd4j.randn(DataType.FLOAT, 4, 3, 32, 32);
        INDArray view = batch.get(NDArrayIndex.interval(1, 3));
        INDArray expected = graph.outputSingle(view.dup('c'));
        assertClose(expected, graph.outputSingle(view), TOLERANCE, SCALE_FLOOR, "output for a view");
        assertClose(expected, graph.outputSingle(view.dup('f')), TOLERANCE, SCALE_FLOOR, "output for f-order images");
    }

    /** A four-stage network on 32 px images, {@code blocksPerStage} blocks of 8, 8, 16 and 16 channels. */
    private static ComputationGraph smallNetwork(int blocksPerStage, long seed) {
        List<Integer> depths = List.of(blocksPerStage, blocksPerStage, blocksPerStage, blocksPerStage);
        ComputationGraph graph = new ComputationGraph(ConvNeXtGraph.configuration(
                new ConvNeXtConfig(depths, List.of(8, 8, 16, 16), false, 0.0, 0.5, 1.0, CLASSES), 32, seed, DataType.FLOAT, new NoOp()));
        graph.init();
        return graph;
    }

    private static void assertRuntimeMatchesDefinition(Layer handWritten, Layer reference, InputType inputType, boolean isHead) {
        ComputationGraph actualGraph = graph(handWritten, inputType, isHead);
        ComputationGraph expectedGraph = graph(reference, inputType, isHead);
        Nd4j.getRandom().setSeed(5);
        actualGraph.params().addi(Nd4j.randn(DataType.FLOAT, actualGraph.params().shape()).muli(0.3));
        expectedGraph.params().assign(actualGraph.params());

        for (int batch : new int[] {3, 2, 3}) {
            long[] shape = inputType.getShape(true);
            shape[0] = batch;
            INDArray input = Nd4j.randn(DataType.FLOAT, shape);
            long[] outputShape = handWritten.getOutputType(0, inputType).getShape(true);
            outputShape[0] = batch;
            INDArray outputGradient = Nd4j.randn(DataType.FLOAT, outputShape);
            Map<String, INDArray> expected = forwardAndBackward(expectedGraph, input, outputGradient);
            Map<String, INDArray> actual = forwardAndBackward(actualGraph, input, outputGradient);
            if (handWritten instanceof ConvNeXtStem) {
                // the stem is fed the images: it returns no input gradient rather than compute one nobody reads
                assertFalse(actual.containsKey(INPUT_GRADIENT), "the stem's runtime returned an input gradient");
                expected.remove(INPUT_GRADIENT);
            }
            assertEquals(expected.keySet(), actual.keySet());
            for (String key : expected.keySet()) {
                assertClose(expected.get(key), actual.get(key), TOLERANCE, SCALE_FLOOR, key + " at batch " + batch);
            }
            assertClose(expectedGraph.outputSingle(input), actualGraph.outputSingle(input), TOLERANCE, SCALE_FLOOR, "inference output at batch " + batch);
        }
    }

    /** The layer's training output, and every parameter gradient and the input gradient for a given output gradient. */
    private static Map<String, INDArray> forwardAndBackward(ComputationGraph graph, INDArray input, INDArray outputGradient) {
        org.deeplearning4j.nn.api.Layer layer = graph.getLayer("layer");
        LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
        layer.setInput(input, noWorkspaces);
        Map<String, INDArray> result = new TreeMap<>();
        result.put("output", layer.activate(true, noWorkspaces).dup());
        Pair<Gradient, INDArray> gradients = layer.backpropGradient(outputGradient, noWorkspaces);
        gradients.getFirst().gradientForVariable().forEach((key, value) -> result.put("gradient " + key, value.dup()));
        if (gradients.getSecond() != null) {
            result.put(INPUT_GRADIENT, gradients.getSecond().dup());
        }
        return result;
    }

    /** {@code layer}, then a head unless it is one, then a softmax loss. */
    private static ComputationGraph graph(Layer layer, InputType inputType, boolean isHead) {
        var builder = new NeuralNetConfiguration.Builder()
                .seed(3).dataType(DataType.FLOAT).updater(new NoOp()).graphBuilder()
                .addInputs("in").setInputTypes(inputType)
                .addLayer("layer", layer, "in");
        String last = "layer";
        if (!isHead) {
            int channels = (int) layer.getOutputType(0, inputType).getShape(false)[2];
            builder.addLayer("head", new ConvNeXtHead(channels, CLASSES, 1.0), "layer");
            last = "head";
        }
        ComputationGraph graph = new ComputationGraph(builder
                .addLayer("out", new LossLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).build(), last)
                .setOutputs("out").build());
        graph.init();
        graph.initGradientsView();   // DL4J creates the gradient views lazily, at the first graph-level backprop
        return graph;
    }

    static final class ReferenceStem extends ConvNeXtStem {
        ReferenceStem(int inChannels, int dim) {
            super(inChannels, dim);
        }

        @Override
        protected SameDiffLayer runtimeLayer(NeuralNetConfiguration conf, DataType dataType) {
            return new GradientCorrectedSameDiffLayer(conf, dataType);
        }
    }

    static final class ReferenceBlock extends ConvNeXtBlock {
        ReferenceBlock(int dim, double layerScaleInit) {
            this(dim, false, layerScaleInit);
        }

        ReferenceBlock(int dim, boolean grn, double layerScaleInit) {
            super(dim, grn, layerScaleInit, 0.0);
        }

        @Override
        protected SameDiffLayer runtimeLayer(NeuralNetConfiguration conf, DataType dataType) {
            return new GradientCorrectedSameDiffLayer(conf, dataType);
        }
    }

    static final class ReferenceDownsample extends ConvNeXtDownsample {
        ReferenceDownsample(int inDim, int outDim) {
            super(inDim, outDim);
        }

        @Override
        protected SameDiffLayer runtimeLayer(NeuralNetConfiguration conf, DataType dataType) {
            return new GradientCorrectedSameDiffLayer(conf, dataType);
        }
    }

    static final class ReferenceHead extends ConvNeXtHead {
        ReferenceHead(int dim, int numClasses, double headInitScale) {
            super(dim, numClasses, headInitScale);
        }

        @Override
        protected SameDiffLayer runtimeLayer(NeuralNetConfiguration conf, DataType dataType) {
            return new GradientCorrectedSameDiffLayer(conf, dataType);
        }
    }
}
