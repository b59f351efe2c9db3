package org.convnext4j.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.factory.Nd4j;

/** Hand-written runtime of {@link ConvNeXtStem} (see {@link HandWrittenLayer}): NCHW images in, NHWC out. */
final class ConvNeXtStemLayer extends HandWrittenLayer {

    private final int dim;
    private final RowLayerNorm norm = new RowLayerNorm();
    private INDArray channelsLastInput;   // kept for the convolution's backward pass

    ConvNeXtStemLayer(NeuralNetConfiguration conf, DataType dataType, int dim) {
        super(conf, dataType);
        this.dim = dim;
    }

    @Override
    protected long[] outputShape(long[] inputShape) {
        return new long[] {inputShape[0], inputShape[2] / ConvNeXtStem.PATCH, inputShape[3] / ConvNeXtStem.PATCH, dim};
    }

    @Override
    protected void forward(INDArray input, INDArray output, boolean training) {
        INDArray nhwc = input.permute(0, 2, 3, 1);
        channelsLastInput = kept(training, "stem.input", channelsLastInput, input.dataType(), nhwc.shape());
        channelsLastInput.assign(nhwc);
        INDArray conv = scratch().get("stem.conv", input.dataType(), output.shape());
        Nd4j.exec(new Conv2D(channelsLastInput, param(ConvNeXtStem.CONV_WEIGHT), param(ConvNeXtStem.CONV_BIAS), conv,
                ConvNeXtOps.patchify(ConvNeXtStem.PATCH)));
        long rows = output.length() / dim;
        norm.forward(conv.reshape(rows, dim), param(ConvNeXtStem.NORM_WEIGHT), param(ConvNeXtStem.NORM_BIAS),
                output.reshape(rows, dim), training);
    }

    @Override
    protected void backward(INDArray input, INDArray outputGradient, INDArray inputGradient) {
        long rows = outputGradient.length() / dim;
        INDArray dConv = scratch().get("stem.conv", input.dataType(), outputGradient.shape());
        norm.backward(outputGradient.reshape(rows, dim), param(ConvNeXtStem.NORM_WEIGHT), grad(ConvNeXtStem.NORM_WEIGHT),
                grad(ConvNeXtStem.NORM_BIAS), dConv.reshape(rows, dim));
        INDArray dInput = scratch().get("stem.inputGradient", input.dataType(), channelsLastInput.shape());
        ConvNeXtOps.patchifyBackward(ConvNeXtStem.PATCH, channelsLastInput, param(ConvNeXtStem.CONV_WEIGHT),
                param(ConvNeXtStem.CONV_BIAS), dConv, dInput, grad(ConvNeXtStem.CONV_WEIGHT), grad(ConvNeXtStem.CONV_BIAS));
        inputGradient.assign(dInput.permute(0, 3, 1, 2));
    }
}
