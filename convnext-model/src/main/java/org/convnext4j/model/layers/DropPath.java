package org.convnext4j.model.layers;

import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Stochastic depth as a DL4J dropout: in training each sample's whole input is zeroed with
 * probability {@code rate} and kept samples are scaled by 1/(1 − rate); DL4J applies no dropout
 * at inference. Used on a block's residual branch, before the add.
 */
public class DropPath implements IDropout {

    private double rate;
    /** Per-sample factor (0 or 1/(1 − rate)) of the last forward pass, needed by backprop. */
    private INDArray sampleScale;

    protected DropPath() {
        // for JSON
    }

    public DropPath(double rate) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("drop path rate must be in [0, 1), got " + rate);
        }
        this.rate = rate;
    }

    @Override
    public INDArray applyDropout(INDArray input, INDArray result, int iteration, int epoch, LayerWorkspaceMgr workspaceMgr) {
        long samples = input.size(0);
        INDArray uniform = Nd4j.rand(input.dataType(), samples);
        // kept where u >= rate, so P(drop) = rate exactly
        INDArray keep = uniform.gte(rate).castTo(input.dataType());
        sampleScale = workspaceMgr.dup(ArrayType.INPUT, keep.divi(1.0 - rate));
        return Broadcast.mul(input, sampleScale, result, 0);
    }

    @Override
    public INDArray backprop(INDArray gradAtOutput, INDArray gradAtInput, int iteration, int epoch) {
        if (sampleScale == null) {
            throw new IllegalStateException("drop path backprop without a forward pass in training mode");
        }
        Broadcast.mul(gradAtOutput, sampleScale, gradAtInput, 0);
        sampleScale = null;
        return gradAtInput;
    }

    @Override
    public void clear() {
        sampleScale = null;
    }

    @Override
    public DropPath clone() {
        return new DropPath(rate);
    }

    public double getRate() {
        return rate;
    }

    public void setRate(double rate) {
        this.rate = rate;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DropPath other && Double.compare(rate, other.rate) == 0;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(rate);
    }
}
