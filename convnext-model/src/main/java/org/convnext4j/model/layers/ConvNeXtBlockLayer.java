package org.convnext4j.model.layers;

import java.util.Arrays;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.DepthwiseConv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Hand-written runtime of {@link ConvNeXtBlock} (see {@link HandWrittenLayer}), residual add and stochastic depth included. */
final class ConvNeXtBlockLayer extends HandWrittenLayer {

    private final int dim;
    private final boolean layerScale;
    private final double dropPathRate;
    private final RowLayerNorm norm = new RowLayerNorm();
    private DropPath dropPath;   // this training step's, null when nothing is dropped

    // Kept from the forward pass, as (positions, dim) or (positions, 4·dim) matrices.
    private INDArray normOut;
    private INDArray hidden;
    private INDArray activation;
    private INDArray fc2Out;

    ConvNeXtBlockLayer(NeuralNetConfiguration conf, DataType dataType, int dim, boolean layerScale, double dropPathRate) {
        super(conf, dataType);
        this.dim = dim;
        this.layerScale = layerScale;
        this.dropPathRate = dropPathRate;
    }

    @Override
    protected long[] outputShape(long[] inputShape) {
        return inputShape;
    }

    @Override
    protected void forward(INDArray input, INDArray output, boolean training) {
        DataType type = input.dataType();
        long rows = input.length() / dim;
        long[] wide = {rows, (long) ConvNeXtBlock.MLP_RATIO * dim};
        normOut = kept(training, "block.normOut", normOut, type, rows, dim);
        hidden = kept(training, "block.hidden", hidden, type, wide);

        INDArray conv = scratch().get("block.conv", type, input.shape());
        Reach reach = new Reach(input.size(1), input.size(2));
        Nd4j.exec(new DepthwiseConv2D(input, reach.kernel(param(ConvNeXtBlock.DW_WEIGHT), "block.reachableKernel"),
                param(ConvNeXtBlock.DW_BIAS), conv, reach.convolution()));
        norm.forward(conv.reshape(rows, dim), param(ConvNeXtBlock.NORM_WEIGHT), param(ConvNeXtBlock.NORM_BIAS), normOut, training);

        Matmul.into(normOut, param(ConvNeXtBlock.FC1_WEIGHT), hidden, false, false, 1.0);
        // GELU's ½ moves into fc2's matmul (a power of two, so exact); see Gelu. Training keeps fc1's
        // output without its bias and the activation; inference overwrites the one with the other.
        INDArray twiceActivated = hidden;
        if (training) {
            activation = WorkingArrays.owned(activation, type, wide);
            twiceActivated = activation;
        }
        Gelu.forward(hidden, param(ConvNeXtBlock.FC1_BIAS), twiceActivated);

        // Only layer scale's gradient reads fc2's output; without it the output is scratch.
        fc2Out = layerScale ? kept(training, "block.fc2Out", fc2Out, type, rows, dim) : scratch().get("block.fc2Out", type, rows, dim);
        Matmul.into(twiceActivated, param(ConvNeXtBlock.FC2_WEIGHT), fc2Out, false, false, 0.5);
        dropPath = training ? DropPath.sample(dropPathRate, input.size(0), rows / input.size(0)) : null;
        BlockOutput.forward(input.reshape(rows, dim), fc2Out, param(ConvNeXtBlock.FC2_BIAS), layerScale ? param(ConvNeXtBlock.GAMMA) : null,
                dropPath, output.reshape(rows, dim));
    }

    @Override
    protected void backward(INDArray input, INDArray outputGradient, INDArray inputGradient) {
        DataType type = input.dataType();
        long rows = input.length() / dim;
        long[] wide = hidden.shape();
        INDArray dFc2 = scratch().get("block.narrow", type, rows, dim);
        BlockOutput.backward(outputGradient.reshape(rows, dim), fc2Out, param(ConvNeXtBlock.FC2_BIAS),
                layerScale ? param(ConvNeXtBlock.GAMMA) : null, dropPath, dFc2, layerScale ? grad(ConvNeXtBlock.GAMMA) : null,
                grad(ConvNeXtBlock.FC2_BIAS));

        Matmul.into(activation, dFc2, grad(ConvNeXtBlock.FC2_WEIGHT), true, false, 0.5);
        INDArray halfDActivated = scratch().get("block.wide", type, wide);
        Matmul.into(dFc2, param(ConvNeXtBlock.FC2_WEIGHT), halfDActivated, false, true, 0.5);

        INDArray dHidden = scratch().get("block.wide2", type, wide);
        Gelu.backward(hidden, param(ConvNeXtBlock.FC1_BIAS), halfDActivated, dHidden, grad(ConvNeXtBlock.FC1_BIAS));
        Matmul.into(normOut, dHidden, grad(ConvNeXtBlock.FC1_WEIGHT), true, false, 1.0);
        INDArray dNormOut = scratch().get("block.narrow", type, rows, dim);   // dFc2 is used up
        Matmul.into(dHidden, param(ConvNeXtBlock.FC1_WEIGHT), dNormOut, false, true, 1.0);

        INDArray dConv = scratch().get("block.conv", type, input.shape());
        norm.backward(dNormOut, param(ConvNeXtBlock.NORM_WEIGHT), grad(ConvNeXtBlock.NORM_WEIGHT),
                grad(ConvNeXtBlock.NORM_BIAS), dConv.reshape(rows, dim), grad(ConvNeXtBlock.DW_BIAS));
        depthwiseBackward(input, dConv, inputGradient);
        inputGradient.addi(outputGradient);   // the residual path
    }

    /**
     * The 7×7 depthwise convolution's backward pass: the input gradient as a forward depthwise
     * convolution, the kernel gradient by {@link DepthwiseKernelGradient}. oneDNN runs its backward op
     * through im2col and GEMM in this layout, about 28× slower than the forward kernel at ConvNeXt-T's
     * first stage.
     */
    private void depthwiseBackward(INDArray input, INDArray dConv, INDArray inputGradient) {
        DataType type = input.dataType();
        Reach reach = new Reach(input.size(1), input.size(2));
        // dL/dx: the transposed convolution, which is the same convolution with the kernel turned 180°.
        INDArray kernel = reach.kernel(param(ConvNeXtBlock.DW_WEIGHT), "block.reachableKernel");
        INDArray turned = scratch().get("block.turnedKernel", type, kernel.shape());
        Nd4j.exec(DynamicCustomOp.builder("reverse").addInputs(kernel).addOutputs(turned)
                .addIntegerArguments(0, 1).build());
        Nd4j.exec(new DepthwiseConv2D(dConv, turned, null, inputGradient, reach.convolution()));
        DepthwiseKernelGradient.compute(input, dConv, grad(ConvNeXtBlock.DW_WEIGHT));
    }

    /**
     * The part of the 7×7 kernel that can reach an H×W input: on inputs under 4×4 (the last stage
     * of a small image) the outer taps only ever meet zero padding. Convolving with just the
     * reachable centre gives the same result, and oneDNN's fast kernels take it, where the full
     * kernel on such an input falls back to a path about 70× slower.
     */
    private static final class Reach {
        final int rows;
        final int columns;

        Reach(long height, long width) {
            this.rows = extent(height);
            this.columns = extent(width);
        }

        /** 2·size − 1 taps reach an input of that size; at least 3, as libnd4j fails on 1×1 kernels at batch 1. */
        private static int extent(long size) {
            return (int) Math.max(3, Math.min(ConvNeXtBlock.KERNEL, 2 * size - 1));
        }

        boolean isWholeKernel() {
            return rows == ConvNeXtBlock.KERNEL && columns == ConvNeXtBlock.KERNEL;
        }

        /** The centre rows × columns window of a (7, 7, …) kernel or kernel gradient, as a view. */
        INDArray window(INDArray full) {
            int top = (ConvNeXtBlock.KERNEL - rows) / 2;
            int left = (ConvNeXtBlock.KERNEL - columns) / 2;
            INDArrayIndex[] index = new INDArrayIndex[full.rank()];
            Arrays.fill(index, NDArrayIndex.all());
            index[0] = NDArrayIndex.interval(top, top + rows);
            index[1] = NDArrayIndex.interval(left, left + columns);
            return full.get(index);
        }

        /** The kernel to convolve with: the full one, or a copy of its reachable centre. */
        INDArray kernel(INDArray full, String role) {
            if (isWholeKernel()) {
                return full;
            }
            INDArray centre = window(full);
            return scratch().get(role, full.dataType(), centre.shape()).assign(centre);
        }

        Conv2DConfig convolution() {
            return ConvNeXtOps.depthwiseSame(rows, columns);
        }
    }
}
