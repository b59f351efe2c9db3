package org.convnext4j.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastCopyOp;
import org.nd4j.linalg.factory.Nd4j;

/** Hand-written runtime of {@link ConvNeXtHead} (see {@link HandWrittenLayer}): NHWC features in, logits out. */
final class ConvNeXtHeadLayer extends HandWrittenLayer {

    private final int dim;
    private final int numClasses;
    private final RowLayerNorm norm = new RowLayerNorm();
    private INDArray normOut;   // the classifier's input, kept for its weight gradient

    ConvNeXtHeadLayer(NeuralNetConfiguration conf, DataType dataType, int dim, int numClasses) {
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
        long batch = input.size(0);
        INDArray pooled = scratch().get("head.pooled", input.dataType(), batch, dim);
        input.mean(pooled, 1, 2);
        normOut = kept(training, "head.normOut", normOut, input.dataType(), batch, dim);
        norm.forward(pooled, param(ConvNeXtHead.NORM_WEIGHT), param(ConvNeXtHead.NORM_BIAS), normOut, training);
        Matmul.into(normOut, param(ConvNeXtHead.FC_WEIGHT), output, false, false, 1.0);
        Nd4j.exec(new BroadcastAddOp(output, param(ConvNeXtHead.FC_BIAS), output, 1));
    }

    @Override
    protected void backward(INDArray input, INDArray outputGradient, INDArray inputGradient) {
        long batch = input.size(0);
        outputGradient.sum(grad(ConvNeXtHead.FC_BIAS), 0);
        Matmul.into(normOut, outputGradient, grad(ConvNeXtHead.FC_WEIGHT), true, false, 1.0);
        INDArray dNormOut = scratch().get("head.norm", input.dataType(), batch, dim);
        Matmul.into(outputGradient, param(ConvNeXtHead.FC_WEIGHT), dNormOut, false, true, 1.0);
        INDArray dPooled = scratch().get("head.pooled", input.dataType(), batch, dim);
        norm.backward(dNormOut, param(ConvNeXtHead.NORM_WEIGHT), grad(ConvNeXtHead.NORM_WEIGHT),
                grad(ConvNeXtHead.NORM_BIAS), dPooled);
        // The mean over H×W spreads each pooled gradient evenly over the positions it averaged.
        dPooled.muli(1.0 / (input.size(1) * input.size(2)));
        INDArray spread = inputGradient.reshape(batch, input.size(1) * input.size(2), dim);
        Nd4j.exec(new BroadcastCopyOp(spread, dPooled, spread, 0, 2));
    }
}
