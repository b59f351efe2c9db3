package org.convnext4j.model.layers;

import org.convnext4j.model.kernels.KernelChoice;
import org.convnext4j.model.kernels.Kernels;
import org.convnext4j.model.kernels.LayerNormSaved;
import org.convnext4j.model.kernels.WorkingArrays;
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
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runtime of a ConvNeXt layer whose forward pass is a sequence of {@link Kernels} passes, keeping
 * what its backward pass needs, and whose backward pass is derived by hand.
 *
 * <p>DL4J's generic SameDiff runtime re-runs a layer's whole forward graph inside every backprop
 * and pays SameDiff's per-op bookkeeping on both passes. The layer's {@code defineLayer} stays its
 * definition: tests run it through that generic runtime and hold this one to it, and
 * double-precision gradient checks hold the backward passes to finite differences. Parameter
 * storage and gradient views are DL4J's SameDiff-layer ones, so checkpoints and updaters are unchanged.
 */
abstract class HandWrittenRuntime extends SameDiffLayer {

    /** The passes this runtime computes with: this process's choice for its ND4J backend. */
    protected final Kernels kernels = KernelChoice.active();

    private boolean savedForBackward;
    /** Whether the arrays {@link #kept} handed out last were the layer's own rather than lent scratch. */
    private boolean keptArraysAreOwn;

    HandWrittenRuntime(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** The output shape for an input shape. */
    protected abstract long[] outputShape(long[] inputShape);

    /**
     * Computes the output of {@code input} into {@code output}, every element of it ({@code output}
     * comes uninitialised); when training, keeps what {@link #backward} needs in arrays from {@link #kept}.
     */
    protected abstract void forward(INDArray input, INDArray output, boolean training);

    /**
     * From dL/d(output) of the last forward pass, writes dL/d(input), every element of it (it comes
     * uninitialised), and every parameter gradient; {@code inputGradient} is null when the layer
     * {@link #takesNetworkInput}.
     */
    protected abstract void backward(INDArray input, INDArray outputGradient, INDArray inputGradient);

    /**
     * Whether the layer's input is the network's input (the images), whose gradient nobody reads:
     * such a layer returns no input gradient, as DL4J allows, and skips computing it.
     */
    protected boolean takesNetworkInput() {
        return false;
    }

    @Override
    public final INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        // Uninitialised: the forward pass writes all of it, and zeroing it first was one more pass over
        // every activation of every step (docs/performance-journal.md).
        INDArray output = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), outputShape(input.shape()), 'c');
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            forward(input, output, training);
        }
        savedForBackward = training;
        keptArraysAreOwn = training;
        return output;
    }

    @Override
    public final Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!savedForBackward) {
            throw new IllegalStateException(layerId() + ": backprop without a training forward pass");
        }
        INDArray inputGradient = takesNetworkInput() ? null
                : workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), 'c');
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            backward(input, epsilon.ordering() == 'c' && !epsilon.isView() ? epsilon : epsilon.dup('c'), inputGradient);
        }
        Gradient gradient = new DefaultGradient();
        for (String key : paramTable.keySet()) {
            gradient.gradientForVariable().put(key, gradTable.get(key));
        }
        return new Pair<>(gradient, inputGradient);
    }

    protected final INDArray param(String key) {
        return paramTable.get(key);
    }

    protected final INDArray grad(String key) {
        return gradTable.get(key);
    }

    /**
     * An array the forward pass fills: the layer's own when training, as the backward pass will read
     * it (reused from {@code current} unless that was scratch lent to an inference pass, which other
     * layers write too); otherwise shared scratch, so inference keeps nothing per layer.
     */
    protected final INDArray kept(boolean training, String role, INDArray current, DataType dataType, long... shape) {
        if (!training) {
            return scratch().get(role, dataType, shape);
        }
        return WorkingArrays.owned(keptArraysAreOwn ? current : null, dataType, shape);
    }

    /**
     * Arrays for what a training pass's LayerNorm over (rows, columns) keeps for its backward pass:
     * {@code current} if its arrays fit, else new ones. Never scratch: only training passes keep them.
     */
    protected static LayerNormSaved keptNorm(LayerNormSaved current, DataType dataType, long rows, long columns) {
        INDArray normalized = WorkingArrays.owned(current == null ? null : current.normalized(), dataType, rows, columns);
        INDArray reciprocalStd = WorkingArrays.owned(current == null ? null : current.reciprocalStd(), dataType, rows);
        boolean reused = current != null && normalized == current.normalized() && reciprocalStd == current.reciprocalStd();
        return reused ? current : new LayerNormSaved(normalized, reciprocalStd);
    }

    protected static WorkingArrays scratch() {
        return WorkingArrays.scratch();
    }

    @Override
    public void clear() {
        super.clear();
        savedForBackward = false;
    }
}
