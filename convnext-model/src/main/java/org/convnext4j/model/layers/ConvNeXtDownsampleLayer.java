package org.convnext4j.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Hand-written runtime of {@link ConvNeXtDownsample} (see {@link HandWrittenLayer}). NHWC in and out. */
final class ConvNeXtDownsampleLayer extends HandWrittenLayer {

    private final int inDim;
    private final int outDim;
    private final RowLayerNorm norm = new RowLayerNorm();
    private INDArray patches;   // the normalised input as patches, kept for the weight gradient

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
        patches = kept(training, "downsample.patches", patches, input.dataType(),
                Patchify.patchShape(input.shape(), ConvNeXtDownsample.PATCH));
        Patchify.toPatches(input, ConvNeXtDownsample.PATCH, patches);
        // LayerNorm acts on each position alone, so it normalises the positions where the patches
        // put them, in place: no array for the normalised input.
        INDArray positions = patches.reshape(patches.length() / inDim, inDim);
        norm.forward(positions, param(ConvNeXtDownsample.NORM_WEIGHT), param(ConvNeXtDownsample.NORM_BIAS), positions, training);
        Patchify.forward(patches, param(ConvNeXtDownsample.CONV_WEIGHT), param(ConvNeXtDownsample.CONV_BIAS), output);
    }

    @Override
    protected void backward(INDArray input, INDArray outputGradient, INDArray inputGradient) {
        outputGradient.reshape(outputGradient.length() / outDim, outDim).sum(grad(ConvNeXtDownsample.CONV_BIAS), 0);
        Patchify.weightGradient(patches, outputGradient, grad(ConvNeXtDownsample.CONV_WEIGHT));
        INDArray dPatches = scratch().get("downsample.patchGradient", input.dataType(), patches.shape());
        Patchify.patchGradient(outputGradient, param(ConvNeXtDownsample.CONV_WEIGHT), dPatches);
        INDArray dPositions = dPatches.reshape(dPatches.length() / inDim, inDim);
        norm.backward(dPositions, param(ConvNeXtDownsample.NORM_WEIGHT), grad(ConvNeXtDownsample.NORM_WEIGHT),
                grad(ConvNeXtDownsample.NORM_BIAS), dPositions);
        Patchify.fromPatches(dPatches, ConvNeXtDownsample.PATCH, inputGradient);
    }
}
