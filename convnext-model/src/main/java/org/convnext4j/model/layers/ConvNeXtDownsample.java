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
 * Downsampling between stages: LayerNorm over channels, then a 2×2 stride-2 convolution. NHWC in and
 * out. Runs as {@link ConvNeXtDownsampleRuntime} (see {@link HandWrittenLayer}).
 */
public class ConvNeXtDownsample extends HandWrittenLayer {

    public static final String NORM_WEIGHT = "normW";
    public static final String NORM_BIAS = "normB";
    public static final String CONV_WEIGHT = "convW";
    public static final String CONV_BIAS = "convB";
    public static final int PATCH = 2;

    private int inDim;
    private int outDim;

    protected ConvNeXtDownsample() {
        // for JSON
    }

    public ConvNeXtDownsample(int inDim, int outDim) {
        if (inDim < 1 || outDim < 1) {
            throw new IllegalArgumentException("downsample channels must be positive, got in=" + inDim + " out=" + outDim);
        }
        this.inDim = inDim;
        this.outDim = outDim;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam(CONV_WEIGHT, PATCH, PATCH, inDim, outDim);   // YXIO
        params.addBiasParam(NORM_WEIGHT, inDim);
        params.addBiasParam(NORM_BIAS, inDim);
        params.addBiasParam(CONV_BIAS, outDim);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get(NORM_WEIGHT).assign(1);
        params.get(NORM_BIAS).assign(0);
        params.get(CONV_BIAS).assign(0);
    }

    @Override
    protected void initializeWeights(Map<String, INDArray> params, WeightDraws draws) {
        draws.truncatedNormal(params.get(CONV_WEIGHT), ConvNeXtInit.WEIGHT_STD);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> params, SDVariable mask) {
        SDVariable normed = ConvNeXtOps.layerNormLastAxis(sd, input, 4, params.get(NORM_WEIGHT), params.get(NORM_BIAS));
        return sd.cnn().conv2d(normed, params.get(CONV_WEIGHT), params.get(CONV_BIAS), ConvNeXtOps.patchify(PATCH));
    }

    @Override
    protected org.deeplearning4j.nn.layers.samediff.SameDiffLayer runtimeLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new ConvNeXtDownsampleRuntime(conf, dataType, inDim, outDim);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeConvolutional in = Shapes.convolutional(inputType, CNN2DFormat.NHWC, inDim, "downsample");
        return InputType.convolutional(in.getHeight() / PATCH, in.getWidth() / PATCH, outDim, CNN2DFormat.NHWC);
    }

    public int getInDim() {
        return inDim;
    }

    public void setInDim(int inDim) {
        this.inDim = inDim;
    }

    public int getOutDim() {
        return outDim;
    }

    public void setOutDim(int outDim) {
        this.outDim = outDim;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && inDim == ((ConvNeXtDownsample) o).inDim && outDim == ((ConvNeXtDownsample) o).outDim;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), inDim, outDim);
    }
}
