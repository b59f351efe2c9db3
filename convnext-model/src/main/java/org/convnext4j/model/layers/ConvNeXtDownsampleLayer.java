package org.convnext4j.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.factory.Nd4j;

/** Hand-written runtime of {@link ConvNeXtDownsample} (see {@link HandWrittenLayer}). NHWC in and out. */
final class ConvNeXtDownsampleLayer extends HandWrittenLayer {

    private final int inDim;
    private final int outDim;
    private final RowLayerNorm norm = new RowLayerNorm();
    private INDArray normOut;   // the convolution's input, kept for its backward pass

    ConvNeXtDownsampleLayer(NeuralNetConfiguration conf, DataType dataType, int inDim, int outDim) {
        super(conf, dataType);
        this.inDim = inDim;
        this.outDim = outDim;
    }

    @Override
    protected long[] outputShape(long[] inputShape) {
        return new long[] {inputShape[0], inputShape[1] / ConvNeXtDownsample.PATCH, inputShape[2] / ConvNeXtDownsample.PATCH, outDim};
    }

    @Override
    protected void forward(INDArray input, INDArray output, boolean training) {
        long rows = input.length() / inDim;
        normOut = kept(training, "downsample.normOut", normOut, input.dataType(), input.shape());
        norm.forward(input.reshape('c', rows, inDim), param(ConvNeXtDownsample.NORM_WEIGHT),
                param(ConvNeXtDownsample.NORM_BIAS), normOut.reshape(rows, inDim), training);
        Nd4j.exec(new Conv2D(normOut, param(ConvNeXtDownsample.CONV_WEIGHT), param(ConvNeXtDownsample.CONV_BIAS), output,
                ConvNeXtOps.patchify(ConvNeXtDownsample.PATCH)));
    }

    @Override
    protected void backward(INDArray input, INDArray outputGradient, INDArray inputGradient) {
        long rows = input.length() / inDim;
        INDArray dNormOut = scratch().get("downsample.norm", input.dataType(), input.shape());
        ConvNeXtOps.patchifyBackward(ConvNeXtDownsample.PATCH, normOut, param(ConvNeXtDownsample.CONV_WEIGHT),
                param(ConvNeXtDownsample.CONV_BIAS), outputGradient, dNormOut, grad(ConvNeXtDownsample.CONV_WEIGHT),
                grad(ConvNeXtDownsample.CONV_BIAS));
        norm.backward(dNormOut.reshape(rows, inDim), param(ConvNeXtDownsample.NORM_WEIGHT),
                grad(ConvNeXtDownsample.NORM_WEIGHT), grad(ConvNeXtDownsample.NORM_BIAS), inputGradient.reshape(rows, inDim));
    }
}
