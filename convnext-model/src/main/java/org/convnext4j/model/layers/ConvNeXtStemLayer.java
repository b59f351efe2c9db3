package org.convnext4j.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hand-written runtime of {@link ConvNeXtStem} (see {@link HandWrittenLayer}): NCHW images in, NHWC
 * out. Its input is the images, so it returns no input gradient.
 */
final class ConvNeXtStemLayer extends HandWrittenLayer {

    private final int dim;
    private final RowLayerNorm norm = new RowLayerNorm();
    private INDArray patches;   // kept for the weight gradient

    ConvNeXtStemLayer(NeuralNetConfiguration conf, DataType dataType, int dim) {
        super(conf, dataType);
        this.dim = dim;
    }

    @Override
    protected long[] outputShape(long[] inputShape) {
        return new long[] {inputShape[0], inputShape[2] / ConvNeXtStem.PATCH, inputShape[3] / ConvNeXtStem.PATCH, dim};
    }

    @Override
    protected boolean takesNetworkInput() {
        return true;
    }

    @Override
    protected void forward(INDArray input, INDArray output, boolean training) {
        DataType type = input.dataType();
        INDArray images = input.ordering() == 'c' && !input.isView() ? input : input.dup('c');
        long[] channelsLastShape = {input.size(0), input.size(2), input.size(3), input.size(1)};
        patches = kept(training, "stem.patches", patches, type, Patchify.patchShape(channelsLastShape, ConvNeXtStem.PATCH));
        Patchify.imagesToPatches(images, ConvNeXtStem.PATCH, patches);
        INDArray conv = scratch().get("stem.conv", type, output.shape());
        Patchify.forward(patches, param(ConvNeXtStem.CONV_WEIGHT), null, conv);
        long rows = output.length() / dim;
        // The convolution's bias joins its output in the LayerNorm's pass.
        norm.forward(conv.reshape(rows, dim), param(ConvNeXtStem.CONV_BIAS), param(ConvNeXtStem.NORM_WEIGHT),
                param(ConvNeXtStem.NORM_BIAS), output.reshape(rows, dim), training);
    }

    @Override
    protected void backward(INDArray input, INDArray outputGradient, INDArray inputGradient) {
        long rows = outputGradient.length() / dim;
        INDArray dConv = scratch().get("stem.conv", input.dataType(), outputGradient.shape());
        // dConv's column sums, taken in the same pass, are the convolution's bias gradient.
        norm.backward(outputGradient.reshape(rows, dim), param(ConvNeXtStem.NORM_WEIGHT), grad(ConvNeXtStem.NORM_WEIGHT),
                grad(ConvNeXtStem.NORM_BIAS), dConv.reshape(rows, dim), grad(ConvNeXtStem.CONV_BIAS));
        Patchify.weightGradient(patches, dConv, grad(ConvNeXtStem.CONV_WEIGHT));
    }
}
