package org.convnext4j.model.layers;

import java.util.Map;
import java.util.Objects;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The classifier head: global average pool over H and W → LayerNorm → Linear. NHWC in, logits out.
 * Runs as {@link ConvNeXtHeadRuntime} (see {@link HandWrittenLayer}).
 */
public class ConvNeXtHead extends HandWrittenLayer {

    public static final String NORM_WEIGHT = "normW";
    public static final String NORM_BIAS = "normB";
    public static final String FC_WEIGHT = "fcW";
    public static final String FC_BIAS = "fcB";

    private int dim;
    private int numClasses;
    private double headInitScale;

    protected ConvNeXtHead() {
        // for JSON
    }

    public ConvNeXtHead(int dim, int numClasses, double headInitScale) {
        if (dim < 1 || numClasses < 1 || !(headInitScale > 0)) {
            throw new IllegalArgumentException("head needs dim > 0, classes > 0 and init scale > 0, got dim=" + dim
                    + " classes=" + numClasses + " scale=" + headInitScale);
        }
        this.dim = dim;
        this.numClasses = numClasses;
        this.headInitScale = headInitScale;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam(FC_WEIGHT, dim, numClasses);   // (in, out)
        params.addBiasParam(NORM_WEIGHT, dim);
        params.addBiasParam(NORM_BIAS, dim);
        params.addBiasParam(FC_BIAS, numClasses);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get(NORM_WEIGHT).assign(1);
        params.get(NORM_BIAS).assign(0);
        params.get(FC_BIAS).assign(0);   // zero times head_init_scale
    }

    @Override
    protected void initializeWeights(Map<String, INDArray> params, WeightDraws draws) {
        draws.truncatedNormal(params.get(FC_WEIGHT), ConvNeXtInit.WEIGHT_STD);
        params.get(FC_WEIGHT).muli(headInitScale);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> params, SDVariable mask) {
        SDVariable pooled = sd.mean(input, 1, 2);                                // (N, H, W, C) -> (N, C)
        SDVariable normed = ConvNeXtOps.layerNormLastAxis(sd, pooled, 2, params.get(NORM_WEIGHT), params.get(NORM_BIAS));
        return normed.mmul(params.get(FC_WEIGHT)).add(params.get(FC_BIAS));
    }

    @Override
    protected org.deeplearning4j.nn.layers.samediff.SameDiffLayer runtimeLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new ConvNeXtHeadRuntime(conf, dataType, dim, numClasses);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        Shapes.convolutional(inputType, CNN2DFormat.NHWC, dim, "head");
        return InputType.feedForward(numClasses);
    }

    public int getDim() {
        return dim;
    }

    public void setDim(int dim) {
        this.dim = dim;
    }

    public int getNumClasses() {
        return numClasses;
    }

    public void setNumClasses(int numClasses) {
        this.numClasses = numClasses;
    }

    public double getHeadInitScale() {
        return headInitScale;
    }

    public void setHeadInitScale(double headInitScale) {
        this.headInitScale = headInitScale;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && dim == ((ConvNeXtHead) o).dim && numClasses == ((ConvNeXtHead) o).numClasses
                && Double.compare(headInitScale, ((ConvNeXtHead) o).headInitScale) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), dim, numClasses, headInitScale);
    }
}
