package org.convnext4j.model.layers;

import org.convnext4j.model.kernels.LayerNormSaved;
import org.convnext4j.model.kernels.Views;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hand-written runtime of {@link ConvNeXtDownsample} (see {@link HandWrittenRuntime}), NHWC in and
 * out: LayerNorm, then the 2×2 stride-2 convolution as a matrix product over patches (see
 * {@link org.convnext4j.model.kernels.Kernels#toPatches}).
 */
final class ConvNeXtDownsampleRuntime extends HandWrittenRuntime {

    // Scratch role.
    private static final String PATCH_GRADIENT = "downsample.patchGradient";
    // Role of what training keeps, lent as scratch to inference passes.
    private static final String PATCHES = "downsample.patches";

    private final int inDim;
    private final int outDim;
    private LayerNormSaved norm;
    private INDArray patches;   // the normalised input as patches, kept for the weight gradient

    ConvNeXtDownsampleRuntime(NeuralNetConfiguration conf, DataType dataType, int inDim, int outDim) {
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
        DataType type = input.dataType();
        long outRows = output.length() / outDim;
        long patchLength = (long) ConvNeXtDownsample.PATCH * ConvNeXtDownsample.PATCH * inDim;
        patches = kept(training, PATCHES, patches, type, outRows, patchLength);
        kernels.toPatches(input, ConvNeXtDownsample.PATCH, patches);
        // LayerNorm acts on each position alone, so it normalises the positions where the patches
        // put them, in place: no array for the normalised input.
        long positions = patches.length() / inDim;
        INDArray normalized = Views.reshaped(patches, positions, inDim);
        LayerNormSaved saved = training ? (norm = keptNorm(norm, type, positions, inDim)) : null;
        kernels.layerNorm(normalized, null, param(ConvNeXtDownsample.NORM_WEIGHT), param(ConvNeXtDownsample.NORM_BIAS),
                normalized, saved);
        INDArray rows = Views.reshaped(output, outRows, outDim);
        kernels.matmul(patches, Views.reshaped(param(ConvNeXtDownsample.CONV_WEIGHT), patchLength, outDim), rows, false, false, 1.0);
        kernels.addColumnBias(rows, param(ConvNeXtDownsample.CONV_BIAS));
    }

    @Override
    protected void backward(INDArray input, INDArray outputGradient, INDArray inputGradient) {
        INDArray dRows = Views.reshaped(outputGradient, patches.size(0), outDim);
        kernels.columnSums(dRows, grad(ConvNeXtDownsample.CONV_BIAS));
        kernels.matmul(patches, dRows, Views.reshaped(grad(ConvNeXtDownsample.CONV_WEIGHT), patches.size(1), outDim), true, false, 1.0);
        INDArray dPatches = scratch().get(PATCH_GRADIENT, input.dataType(), patches.shape());
        kernels.matmul(dRows, Views.reshaped(param(ConvNeXtDownsample.CONV_WEIGHT), patches.size(1), outDim), dPatches, false, true, 1.0);
        INDArray dPositions = Views.reshaped(dPatches, dPatches.length() / inDim, inDim);
        kernels.layerNormBackward(dPositions, norm, param(ConvNeXtDownsample.NORM_WEIGHT), grad(ConvNeXtDownsample.NORM_WEIGHT),
                grad(ConvNeXtDownsample.NORM_BIAS), dPositions, null);
        kernels.fromPatches(dPatches, ConvNeXtDownsample.PATCH, inputGradient);
    }
}
