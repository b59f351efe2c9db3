package org.convnext4j.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The block's hand-written runtime ({@link ConvNeXtBlockLayer}) against its SameDiff definition run
 * by DL4J's generic SameDiff runtime: same outputs and same gradients, in float32, across batch
 * sizes (the runtime reuses its working arrays while the shape stays the same).
 */
class ConvNeXtBlockLayerTest {

    private static final int DIM = 12;
    private static final int CLASSES = 3;

    @Test
    void matchesTheSameDiffDefinitionWithLayerScale() {
        assertRuntimeMatchesDefinition(0.5);
    }

    @Test
    void matchesTheSameDiffDefinitionWithoutLayerScale() {
        assertRuntimeMatchesDefinition(0.0);
    }

    private static void assertRuntimeMatchesDefinition(double layerScale) {
        ComputationGraph handWritten = graph(new ConvNeXtBlock(DIM, layerScale));
        ComputationGraph definition = graph(new DefinitionRuntimeBlock(DIM, layerScale));
        Nd4j.getRandom().setSeed(5);
        handWritten.params().addi(Nd4j.randn(DataType.FLOAT, handWritten.params().shape()).muli(0.3));
        definition.params().assign(handWritten.params());

        for (int batch : new int[] {3, 2, 3}) {
            INDArray input = Nd4j.randn(DataType.FLOAT, batch, 9, 7, DIM);
            INDArray labels = Nd4j.zeros(DataType.FLOAT, batch, CLASSES);
            for (int i = 0; i < batch; i++) {
                labels.putScalar(i, i % CLASSES, 1f);
            }
            MultiDataSet data = new MultiDataSet(new INDArray[] {input}, new INDArray[] {labels});
            Map<String, INDArray> expected = forwardAndBackward(definition, data);
            Map<String, INDArray> actual = forwardAndBackward(handWritten, data);
            assertEquals(expected.keySet(), actual.keySet());
            for (String key : expected.keySet()) {
                assertClose(expected.get(key), actual.get(key), key + " at batch " + batch);
            }
            assertClose(definition.outputSingle(input), handWritten.outputSingle(input), "inference output at batch " + batch);
        }
    }

    /** The block's activations and every parameter gradient after one forward/backward pass. */
    private static Map<String, INDArray> forwardAndBackward(ComputationGraph graph, MultiDataSet data) {
        graph.setInputs(data.getFeatures());
        graph.setLabels(data.getLabels());
        graph.computeGradientAndScore();
        Map<String, INDArray> result = new java.util.TreeMap<>();
        graph.gradient().gradientForVariable().forEach((key, value) -> result.put("gradient " + key, value.dup()));
        result.put("block output", graph.feedForward(data.getFeatures(), true).get("block").dup());
        return result;
    }

    private static ComputationGraph graph(ConvNeXtBlock block) {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .seed(3).dataType(DataType.FLOAT).updater(new NoOp()).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(9, 7, DIM, CNN2DFormat.NHWC))
                .addLayer("block", block, "in")
                .addLayer("head", new ConvNeXtHead(DIM, CLASSES, 1.0), "block")
                .addLayer("out", new LossLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).build(), "head")
                .setOutputs("out").build());
        graph.init();
        return graph;
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertEquals(Arrays.toString(expected.shape()), Arrays.toString(actual.shape()), what + " shape");
        double scale = Math.max(expected.amaxNumber().doubleValue(), 1e-3);
        double maxDiff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(maxDiff <= 2e-5 * scale, what + ": max |diff| " + maxDiff + " for values up to " + scale);
    }

    /** The same block run by DL4J's generic SameDiff runtime from {@link ConvNeXtBlock#defineLayer}. */
    static final class DefinitionRuntimeBlock extends ConvNeXtBlock {

        DefinitionRuntimeBlock(int dim, double layerScaleInit) {
            super(dim, layerScaleInit);
        }

        @Override
        protected org.deeplearning4j.nn.layers.samediff.SameDiffLayer runtimeLayer(NeuralNetConfiguration conf, DataType dataType) {
            return new GradientCorrectedSameDiffLayer(conf, dataType);
        }
    }
}
