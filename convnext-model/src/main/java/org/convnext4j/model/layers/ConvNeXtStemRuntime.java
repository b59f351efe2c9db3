package org.convnext4j.model.layers;

import org.convnext4j.model.kernels.LayerNormSaved;
import org.convnext4j.model.kernels.Views;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hand-written runtime of {@link ConvNeXtStem} (see {@link HandWrittenRuntime}): NCHW images in, NHWC
 * out. Its 4×4 stride-4 convolution is a matrix product over the images' patches (see
 * {@link org.convnext4j.model.kernels.Kernels#imagesToPatches}). Its input is the images, so it
 * returns no input gradient.
 */
final class ConvNeXtStemRuntime extends HandWrittenRuntime {

    // Scratch role: the convolution's output, and in the backward pass its gradient.
    private static final String CONV = "stem.conv";
    // Role of what training keeps, lent as scratch to inference passes.
    private static final String PATCHES = "stem.patches";

    private final int dim;
    private LayerNormSaved norm;
    private INDArray patches;   // kept for the weight gradient

    ConvNeXtStemRuntime(NeuralNetConfiguration conf, DataType dataType, int dim) {
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
        // A batch's slice of samples (SplitBatchInference's parts) is contiguous already: no copy.
        INDArray images = Views.contiguous(input) ? input : input.dup('c');
        long rows = output.length() / dim;
        long patchLength = (long) ConvNeXtStem.PATCH * ConvNeXtStem.PATCH * input.size(1);
        patches = kept(training, PATCHES, patches, type, rows, patchLength);
        kernels.imagesToPatches(images, ConvNeXtStem.PATCH, patches);
        INDArray conv = scratch().get(CONV, type, rows, dim);
        kernels.matmul(patches, Views.reshaped(param(ConvNeXtStem.CONV_WEIGHT), patchLength, dim), conv, false, false, 1.0);
        // The convolution's bias joins its output in the LayerNorm's pass.
        LayerNormSaved saved = training ? (norm = keptNorm(norm, type, rows, dim)) : null;
        kernels.layerNorm(conv, param(ConvNeXtStem.CONV_BIAS), param(ConvNeXtStem.NORM_WEIGHT), param(ConvNeXtStem.NORM_BIAS),
                Views.reshaped(output, rows, dim), saved);
    }

    @Override
    protected void backward(INDArray input, INDArray outputGradient, INDArray inputGradient) {
        long rows = outputGradient.length() / dim;
        INDArray dConv = scratch().get(CONV, input.dataType(), rows, dim);
        // dConv's column sums, taken in the same pass, are the convolution's bias gradient.
        kernels.layerNormBackward(Views.reshaped(outputGradient, rows, dim), norm, param(ConvNeXtStem.NORM_WEIGHT),
                grad(ConvNeXtStem.NORM_WEIGHT), grad(ConvNeXtStem.NORM_BIAS), dConv, grad(ConvNeXtStem.CONV_BIAS));
        kernels.matmul(patches, dConv, Views.reshaped(grad(ConvNeXtStem.CONV_WEIGHT), patches.size(1), dim), true, false, 1.0);
    }
}
