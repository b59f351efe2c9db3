package org.convnext4j.model.layers;

import java.util.Arrays;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BroadcastOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.DepthwiseConv2D;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runtime of {@link ConvNeXtBlock}: the block's forward pass as direct ND4J ops, keeping what the
 * backward pass needs, and the backward pass derived by hand.
 *
 * <p>DL4J's generic SameDiff runtime re-runs the whole forward graph inside every backprop and pays
 * SameDiff's per-op bookkeeping twice; a block is most of the network, so this is where training
 * time went. {@link ConvNeXtBlock#defineLayer} stays the definition: tests hold this runtime to it,
 * to a plain-loop reference and to double-precision gradient checks. Working arrays live outside
 * DL4J's workspaces and are reused from step to step while the input shape stays the same.
 */
final class ConvNeXtBlockLayer extends SameDiffLayer {

    private static final double INV_SQRT_2 = 1.0 / Math.sqrt(2.0);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final int ROWS = 0;
    private static final int COLUMNS = 1;

    private final int dim;
    private final boolean layerScale;

    // Saved by a training forward pass for the backward pass: (rows, dim) or (rows, 4·dim) matrices
    // over the N·H·W positions, and the per-position reciprocal standard deviation.
    private INDArray normalized;
    private INDArray reciprocalStd;
    private INDArray normOut;
    private INDArray hidden;
    private INDArray erfPlusOne;
    private INDArray mlpOut;
    private boolean savedForBackward;

    ConvNeXtBlockLayer(NeuralNetConfiguration conf, DataType dataType, int dim, boolean layerScale) {
        super(conf, dataType);
        this.dim = dim;
        this.layerScale = layerScale;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        long[] shape = input.shape();
        long rows = shape[0] * shape[1] * shape[2];
        INDArray output = workspaceMgr.create(ArrayType.ACTIVATIONS, input.dataType(), shape, 'c');
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            allocate(input.dataType(), shape, rows);

            INDArray conv = normalized.reshape('c', shape);
            Nd4j.exec(new DepthwiseConv2D(input, param(ConvNeXtBlock.DW_WEIGHT), param(ConvNeXtBlock.DW_BIAS), conv,
                    ConvNeXtOps.depthwise7x7()));
            layerNorm(normalized);

            gemm(normOut, param(ConvNeXtBlock.FC1_WEIGHT), hidden, false, false, 1.0);
            broadcast(new BroadcastAddOp(hidden, param(ConvNeXtBlock.FC1_BIAS), hidden, COLUMNS));
            // GELU(h) = h·Φ(h) = ½·h·(1 + erf(h/√2)). The ½ moves into fc2's matmul (an exact power of
            // two), so only h·(1 + erf(h/√2)) is materialised.
            hidden.mul(INV_SQRT_2, erfPlusOne);
            Nd4j.exec(new Erf(erfPlusOne, erfPlusOne));
            erfPlusOne.addi(1.0);
            INDArray activated = scratch(0, hidden.shape());
            hidden.mul(erfPlusOne, activated);

            INDArray out = output.reshape('c', rows, dim);
            INDArray fc2Out = layerScale ? mlpOut : out;
            gemm(activated, param(ConvNeXtBlock.FC2_WEIGHT), fc2Out, false, false, 0.5);
            broadcast(new BroadcastAddOp(fc2Out, param(ConvNeXtBlock.FC2_BIAS), fc2Out, COLUMNS));
            if (layerScale) {
                broadcast(new BroadcastMulOp(mlpOut, param(ConvNeXtBlock.GAMMA), out, COLUMNS));
            }
        }
        savedForBackward = training;
        return output;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!savedForBackward) {
            throw new IllegalStateException("block " + layerId() + ": backprop without a training forward pass");
        }
        long[] shape = input.shape();
        long rows = shape[0] * shape[1] * shape[2];
        INDArray inputGradient = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, input.dataType(), shape, 'c');
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray dOut = epsilon.reshape('c', rows, dim);
            INDArray dFc2 = dOut;
            if (layerScale) {
                dFc2 = scratch(1, rows, dim);
                dOut.mul(mlpOut, dFc2);
                dFc2.sum(grad(ConvNeXtBlock.GAMMA), 0);
                broadcast(new BroadcastMulOp(dOut, param(ConvNeXtBlock.GAMMA), dFc2, COLUMNS));
            }
            dFc2.sum(grad(ConvNeXtBlock.FC2_BIAS), 0);

            INDArray activated = scratch(0, hidden.shape());
            hidden.mul(erfPlusOne, activated);
            gemm(activated, dFc2, grad(ConvNeXtBlock.FC2_WEIGHT), true, false, 0.5);
            // ½·dL/da, into the buffer the activation no longer needs.
            INDArray halfDActivated = activated;
            gemm(dFc2, param(ConvNeXtBlock.FC2_WEIGHT), halfDActivated, false, true, 0.5);

            // GELU'(h) = Φ(h) + h·φ(h), so dL/dh = ½·dL/da · (1 + erf(h/√2) + h·√(2/π)·exp(−h²/2)).
            INDArray dHidden = scratch(2, hidden.shape());
            hidden.mul(hidden, dHidden);
            dHidden.muli(-0.5);
            Nd4j.exec(new Exp(dHidden, dHidden));
            dHidden.muli(hidden).muli(SQRT_2_OVER_PI).addi(erfPlusOne).muli(halfDActivated);
            dHidden.sum(grad(ConvNeXtBlock.FC1_BIAS), 0);
            gemm(normOut, dHidden, grad(ConvNeXtBlock.FC1_WEIGHT), true, false, 1.0);
            INDArray dNormOut = scratch(1, rows, dim);
            gemm(dHidden, param(ConvNeXtBlock.FC1_WEIGHT), dNormOut, false, true, 1.0);

            INDArray dConv = layerNormBackward(dNormOut);
            DynamicCustomOp convBackward = DynamicCustomOp.builder("depthwise_conv2d_bp")
                    .addInputs(input, param(ConvNeXtBlock.DW_WEIGHT), param(ConvNeXtBlock.DW_BIAS), dConv.reshape('c', shape))
                    .addOutputs(inputGradient, grad(ConvNeXtBlock.DW_WEIGHT), grad(ConvNeXtBlock.DW_BIAS))
                    .addIntegerArguments(ConvNeXtBlock.KERNEL, ConvNeXtBlock.KERNEL, 1, 1, 3, 3, 1, 1, 0, 1)
                    .build();
            Nd4j.exec(convBackward);
        }
        Gradient gradient = new DefaultGradient();
        for (String key : paramTable.keySet()) {
            gradient.gradientForVariable().put(key, gradTable.get(key));
        }
        return new Pair<>(gradient, inputGradient);
    }

    /** Normalises {@code x} (rows, dim) in place over its last axis, then applies the affine map into {@link #normOut}. */
    private void layerNorm(INDArray x) {
        INDArray mean = x.mean(COLUMNS);
        INDArray variance = x.var(false, COLUMNS);
        variance.addi(ConvNeXtOps.LAYER_NORM_EPS);
        Nd4j.exec(new Sqrt(variance, variance));
        variance.rdivi(1.0);
        reciprocalStd = variance;
        broadcast(new BroadcastSubOp(x, mean, x, ROWS));
        broadcast(new BroadcastMulOp(x, reciprocalStd, x, ROWS));
        broadcast(new BroadcastMulOp(x, param(ConvNeXtBlock.NORM_WEIGHT), normOut, COLUMNS));
        broadcast(new BroadcastAddOp(normOut, param(ConvNeXtBlock.NORM_BIAS), normOut, COLUMNS));
    }

    /**
     * With x̂ the normalised input, g the norm weight and dy the incoming gradient:
     * dx = (g·dy − mean(g·dy) − x̂·mean(g·dy·x̂)) / σ, the means over the channel axis.
     */
    private INDArray layerNormBackward(INDArray dy) {
        INDArray weight = param(ConvNeXtBlock.NORM_WEIGHT).reshape(dim, 1);
        INDArray dyTimesNormalized = scratch(3, dy.shape());
        dy.mul(normalized, dyTimesNormalized);
        dyTimesNormalized.sum(grad(ConvNeXtBlock.NORM_WEIGHT), 0);
        dy.sum(grad(ConvNeXtBlock.NORM_BIAS), 0);
        long rows = dy.size(0);
        INDArray meanGradient = Nd4j.create(dy.dataType(), rows, 1);
        INDArray meanGradientTimesNormalized = Nd4j.create(dy.dataType(), rows, 1);
        gemm(dy, weight, meanGradient, false, false, 1.0 / dim);
        gemm(dyTimesNormalized, weight, meanGradientTimesNormalized, false, false, 1.0 / dim);

        INDArray dx = dyTimesNormalized;
        broadcast(new BroadcastMulOp(normalized, meanGradientTimesNormalized.reshape(rows), dx, ROWS));
        INDArray scaled = scratch(4, dy.shape());
        broadcast(new BroadcastMulOp(dy, param(ConvNeXtBlock.NORM_WEIGHT), scaled, COLUMNS));
        scaled.subi(dx);
        broadcast(new BroadcastSubOp(scaled, meanGradient.reshape(rows), scaled, ROWS));
        broadcast(new BroadcastMulOp(scaled, reciprocalStd, scaled, ROWS));
        return scaled;
    }

    private final INDArray[] scratch = new INDArray[5];

    /** A reusable working array; the slot keeps one array per role so roles never alias. */
    private INDArray scratch(int slot, long... shape) {
        INDArray current = scratch[slot];
        if (current == null || current.dataType() != input.dataType() || !Arrays.equals(current.shape(), shape)) {
            current = Nd4j.create(input.dataType(), shape, 'c');
            scratch[slot] = current;
        }
        return current;
    }

    private void allocate(DataType dataType, long[] shape, long rows) {
        long[] narrow = {rows, dim};
        long[] wide = {rows, (long) ConvNeXtBlock.MLP_RATIO * dim};
        normalized = reuse(normalized, dataType, narrow);
        normOut = reuse(normOut, dataType, narrow);
        hidden = reuse(hidden, dataType, wide);
        erfPlusOne = reuse(erfPlusOne, dataType, wide);
        mlpOut = layerScale ? reuse(mlpOut, dataType, narrow) : null;
    }

    private static INDArray reuse(INDArray current, DataType dataType, long[] shape) {
        if (current != null && current.dataType() == dataType && Arrays.equals(current.shape(), shape)) {
            return current;
        }
        return Nd4j.create(dataType, shape, 'c');
    }

    private INDArray param(String key) {
        return paramTable.get(key);
    }

    private INDArray grad(String key) {
        return gradTable.get(key);
    }

    private static void gemm(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB, double alpha) {
        Nd4j.exec(new Mmul(a, b, c, alpha, 0.0,
                MMulTranspose.builder().transposeA(transposeA).transposeB(transposeB).build()));
    }

    private static void broadcast(BroadcastOp op) {
        Nd4j.exec(op);
    }

    @Override
    public void clear() {
        super.clear();
        savedForBackward = false;
    }
}
