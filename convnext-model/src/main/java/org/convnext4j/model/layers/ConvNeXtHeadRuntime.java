package org.convnext4j.model.layers;

import org.convnext4j.model.kernels.LayerNormSaved;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Hand-written runtime of {@link ConvNeXtHead} (see {@link HandWrittenRuntime}): NHWC features in, logits out. */
final class ConvNeXtHeadRuntime extends HandWrittenRuntime {

    // Scratch roles.
    private static final String POOLED = "head.pooled";
    private static final String D_NORM_OUT = "head.dNormOut";
    private static final String D_POOLED = "head.dPooled";
    // Role of what training keeps, lent as scratch to inference passes.
    private static final String NORM_OUT = "head.normOut";

    private final int dim;
    private final int numClasses;
    private LayerNormSaved norm;
    private INDArray normOut;   // the classifier's input, kept for its weight gradient

    ConvNeXtHeadRuntime(NeuralNetConfiguration conf, DataType dataType, int dim, int numClasses) {
        super(conf, dataType);
        this.dim = dim;
        this.numClasses = numClasses;
    }

    @Override
    protected long[] outputShape(long[] inputShape) {
        return new long[] {inputShape[0], numClasses};
    }

    @Override
    protected void forward(INDArray input, INDArray output, boolean training) {
        DataType type = input.dataType();
        long batch = input.size(0);
        INDArray pooled = scratch().get(POOLED, type, batch, dim);
        kernels.meanPool(input, pooled);
        normOut = kept(training, NORM_OUT, normOut, type, batch, dim);
        LayerNormSaved saved = training ? (norm = keptNorm(norm, type, batch, dim)) : null;
        kernels.layerNorm(pooled, null, param(ConvNeXtHead.NORM_WEIGHT), param(ConvNeXtHead.NORM_BIAS), normOut, saved);
        kernels.matmul(normOut, param(ConvNeXtHead.FC_WEIGHT), output, false, false, 1.0);
        kernels.addColumnBias(output, param(ConvNeXtHead.FC_BIAS));
    }

    @Override
    protected void backward(INDArray input, INDArray outputGradient, INDArray inputGradient) {
        DataType type = input.dataType();
        long batch = input.size(0);
        kernels.columnSums(outputGradient, grad(ConvNeXtHead.FC_BIAS));
        kernels.matmul(normOut, outputGradient, grad(ConvNeXtHead.FC_WEIGHT), true, false, 1.0);
        INDArray dNormOut = scratch().get(D_NORM_OUT, type, batch, dim);
        kernels.matmul(outputGradient, param(ConvNeXtHead.FC_WEIGHT), dNormOut, false, true, 1.0);
        INDArray dPooled = scratch().get(D_POOLED, type, batch, dim);
        kernels.layerNormBackward(dNormOut, norm, param(ConvNeXtHead.NORM_WEIGHT), grad(ConvNeXtHead.NORM_WEIGHT),
                grad(ConvNeXtHead.NORM_BIAS), dPooled, null);
        kernels.meanPoolBackward(dPooled, inputGradient);
    }
}
