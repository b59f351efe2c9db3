package org.convnext4j.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Pins the DL4J 1.0.0-M2.1 behaviour that {@link GradientCorrectedSameDiffLayer} corrects: a plain
 * SameDiffLayer in a ComputationGraph reports twice the true gradient. If DL4J changes this, this
 * test fails and the correction must change with it.
 */
class SameDiffGradientFactorTest {

    /** y = x ⊙ w: the simplest layer with a parameter, written the DL4J way without our correction. */
    public static class PlainScaleLayer extends SameDiffLayer {
        private int size;

        protected PlainScaleLayer() {
        }

        PlainScaleLayer(int size) {
            this.size = size;
        }

        @Override
        public void defineParameters(SDLayerParams params) {
            params.addWeightParam("w", size);
        }

        @Override
        public void initializeParameters(Map<String, INDArray> params) {
            params.get("w").assign(Nd4j.linspace(DataType.DOUBLE, 0.5, 0.25, size));
        }

        @Override
        public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> params, SDVariable mask) {
            return input.mul(params.get("w"));
        }

        @Override
        public InputType getOutputType(int layerIndex, InputType inputType) {
            return inputType;
        }

        public int getSize() {
            return size;
        }

        public void setSize(int size) {
            this.size = size;
        }
    }

    @Test
    void plainSameDiffLayerReportsTwiceTheTrueGradient() {
        int size = 4;
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).updater(new NoOp()).graphBuilder()
                .addInputs("in").setInputTypes(InputType.feedForward(size))
                .addLayer("scale", new PlainScaleLayer(size), "in")
                .addLayer("out", new LossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build(), "scale")
                .setOutputs("out").build());
        graph.init();
        INDArray x = Nd4j.create(new double[][] {{1.0, -2.0, 0.5, 3.0}});
        INDArray target = Nd4j.create(new double[][] {{0.2, 0.1, -0.3, 0.4}});
        graph.setInputs(x);
        graph.setLabels(target);
        graph.computeGradientAndScore();
        INDArray reported = graph.gradient().getGradientFor("scale_w");

        // MSE in DL4J: mean over the outputs of (y - t)^2, so dL/dw_i = 2 (x_i w_i - t_i) x_i / size
        INDArray w = graph.getParam("scale_w");
        INDArray trueGradient = x.mul(w).sub(target).mul(x).mul(2.0 / size);
        for (int i = 0; i < size; i++) {
            assertEquals(2.0 * trueGradient.getDouble(0, i), reported.getDouble(i), 1e-12,
                    "DL4J's SameDiffLayer gradient factor changed: revisit GradientCorrectedSameDiffLayer");
        }
    }
}
