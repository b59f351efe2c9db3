package org.convnext4j.model.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.factory.Nd4j;

/**
 * LayerNorm (eps 1e-6) over the channels of a (positions, channels) matrix, keeping the normalised
 * input x̂ and 1/σ from the forward pass for the backward pass.
 */
final class RowLayerNorm {

    private static final int PER_ROW = 0;
    private static final int PER_COLUMN = 1;

    private INDArray normalized;
    private INDArray reciprocalStd;

    /** out = x̂·weight + bias, x̂ = (x − mean) / √(var + eps) per row; x̂ and 1/σ are kept when training. */
    void forward(INDArray x, INDArray weight, INDArray bias, INDArray out, boolean training) {
        normalized = HandWrittenLayer.kept(training, "norm.normalized", normalized, x.dataType(), x.shape());
        INDArray mean = x.mean(PER_COLUMN);
        reciprocalStd = x.var(false, PER_COLUMN);
        reciprocalStd.addi(ConvNeXtOps.LAYER_NORM_EPS);
        Nd4j.exec(new Sqrt(reciprocalStd, reciprocalStd));
        reciprocalStd.rdivi(1.0);
        Nd4j.exec(new BroadcastSubOp(x, mean, normalized, PER_ROW));
        Nd4j.exec(new BroadcastMulOp(normalized, reciprocalStd, normalized, PER_ROW));
        Nd4j.exec(new BroadcastMulOp(normalized, weight, out, PER_COLUMN));
        Nd4j.exec(new BroadcastAddOp(out, bias, out, PER_COLUMN));
    }

    /**
     * With dy = dL/dout and g the weight: dL/dx = (g·dy − mean(g·dy) − x̂·mean(g·dy·x̂)) / σ, the
     * means over channels. Writes dL/dx into {@code dx} and the weight and bias gradients into theirs.
     */
    void backward(INDArray dy, INDArray weight, INDArray weightGradient, INDArray biasGradient, INDArray dx) {
        long rows = dy.size(0);
        long channels = dy.size(1);
        WorkingArrays scratch = WorkingArrays.scratch();
        INDArray dyTimesNormalized = scratch.get("norm.dy*x", dy.dataType(), dy.shape());
        dy.mul(normalized, dyTimesNormalized);
        dyTimesNormalized.sum(weightGradient, 0);
        dy.sum(biasGradient, 0);
        INDArray weightColumn = weight.reshape(channels, 1);
        INDArray meanScaled = scratch.get("norm.mean", dy.dataType(), rows, 1);
        INDArray meanScaledTimesNormalized = scratch.get("norm.mean*x", dy.dataType(), rows, 1);
        Matmul.into(dy, weightColumn, meanScaled, false, false, 1.0 / channels);
        Matmul.into(dyTimesNormalized, weightColumn, meanScaledTimesNormalized, false, false, 1.0 / channels);

        INDArray correction = dyTimesNormalized;   // its sums are taken; reuse it for x̂·mean(g·dy·x̂)
        Nd4j.exec(new BroadcastMulOp(normalized, meanScaledTimesNormalized.reshape(rows), correction, PER_ROW));
        Nd4j.exec(new BroadcastMulOp(dy, weight, dx, PER_COLUMN));
        dx.subi(correction);
        Nd4j.exec(new BroadcastSubOp(dx, meanScaled.reshape(rows), dx, PER_ROW));
        Nd4j.exec(new BroadcastMulOp(dx, reciprocalStd, dx, PER_ROW));
    }
}
