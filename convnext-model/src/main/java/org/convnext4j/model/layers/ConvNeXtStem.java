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
 * The stem: 4×4 stride-4 convolution (3 → dim, with bias), then LayerNorm over channels.
 * Takes NCHW images, as DL4J iterators produce them, and emits NHWC for the stages. Runs as
 * {@link ConvNeXtStemRuntime} (see {@link HandWrittenLayer}).
 */
public class ConvNeXtStem extends HandWrittenLayer {

    public static final String CONV_WEIGHT = "convW";
    public static final String CONV_BIAS = "convB";
    public static final String NORM_WEIGHT = "normW";
    public static final String NORM_BIAS = "normB";
    public static final int PATCH = 4;

    private int inChannels;
    private int dim;

    protected ConvNeXtStem() {
        // for JSON
    }

    public ConvNeXtStem(int inChannels, int dim) {
        if (inChannels < 1 || dim < 1) {
            throw new IllegalArgumentException("stem channels must be positive, got in=" + inChannels + " dim=" + dim);
        }
        this.inChannels = inChannels;
        this.dim = dim;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam(CONV_WEIGHT, PATCH, PATCH, inChannels, dim);   // YXIO
        // Biases and norm affine are declared as bias parameters: they take no weight decay.
        params.addBiasParam(CONV_BIAS, dim);
        params.addBiasParam(NORM_WEIGHT, dim);
        params.addBiasParam(NORM_BIAS, dim);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get(CONV_BIAS).assign(0);
        params.get(NORM_WEIGHT).assign(1);
        params.get(NORM_BIAS).assign(0);
    }

    @Override
    protected void initializeWeights(Map<String, INDArray> params, WeightDraws draws) {
        draws.truncatedNormal(params.get(CONV_WEIGHT), ConvNeXtInit.WEIGHT_STD);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> params, SDVariable mask) {
        SDVariable nhwc = sd.permute(input, 0, 2, 3, 1);                       // (N, C, H, W) -> (N, H, W, C)
        SDVariable patches = sd.cnn().conv2d(nhwc, params.get(CONV_WEIGHT), params.get(CONV_BIAS),
                ConvNeXtOps.patchify(PATCH));
        return ConvNeXtOps.layerNormLastAxis(sd, patches, 4, params.get(NORM_WEIGHT), params.get(NORM_BIAS));
    }

    @Override
    protected org.deeplearning4j.nn.layers.samediff.SameDiffLayer runtimeLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new ConvNeXtStemRuntime(conf, dataType, dim);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeConvolutional in = Shapes.convolutional(inputType, CNN2DFormat.NCHW, inChannels, "stem");
        return InputType.convolutional(in.getHeight() / PATCH, in.getWidth() / PATCH, dim, CNN2DFormat.NHWC);
    }

    public int getInChannels() {
        return inChannels;
    }

    public void setInChannels(int inChannels) {
        this.inChannels = inChannels;
    }

    public int getDim() {
        return dim;
    }

    public void setDim(int dim) {
        this.dim = dim;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && inChannels == ((ConvNeXtStem) o).inChannels && dim == ((ConvNeXtStem) o).dim;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), inChannels, dim);
    }
}
