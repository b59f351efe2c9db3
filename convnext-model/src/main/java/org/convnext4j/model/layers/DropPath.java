package org.convnext4j.model.layers;

import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.convnext4j.model.kernels.RowChunks;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Stochastic depth as a DL4J dropout: in training each sample's whole input is zeroed with
 * probability {@code rate} and kept samples are scaled by 1/(1 − rate); DL4J applies no dropout
 * at inference. Used on a block's residual branch, before the add.
 */
public class DropPath implements IDropout {

    private double rate;
    /** Per-sample factor (0 or 1/(1 − rate)) of the last forward pass, needed by backprop. */
    private double[] sampleScale;

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
        double[] uniform = Nd4j.rand(DataType.DOUBLE, samples).toDoubleVector();
        sampleScale = new double[uniform.length];
        for (int i = 0; i < uniform.length; i++) {
            sampleScale[i] = uniform[i] >= rate ? 1 / (1 - rate) : 0;   // kept where u >= rate, so P(drop) = rate exactly
        }
        scaleSamples(input, result, sampleScale);
        return result;
    }

    @Override
    public INDArray backprop(INDArray gradAtOutput, INDArray gradAtInput, int iteration, int epoch) {
        if (sampleScale == null) {
            throw new IllegalStateException("drop path backprop without a forward pass in training mode");
        }
        scaleSamples(gradAtOutput, gradAtInput, sampleScale);
        sampleScale = null;
        return gradAtInput;
    }

    /**
     * {@code into}[n, …] = scale[n]·{@code from}[n, …], one pass over rows of samples. libnd4j's
     * broadcast along the first axis walked the array element by element: 6% of an atto training
     * step's CPU time for this multiply alone.
     */
    private static void scaleSamples(INDArray from, INDArray into, double[] scale) {
        INDArray source = from.ordering() == 'c' && from.elementWiseStride() == 1 ? from : from.dup('c');
        long samples = source.size(0);
        int perSample = Math.toIntExact(source.length() / samples);
        INDArray target = into.ordering() == 'c' && into.elementWiseStride() == 1 ? into : Nd4j.create(into.dataType(), into.shape());
        DataType type = RowChunks.checkedType(source, target);
        RowChunks.forEach(samples, perSample, chunk -> {
            if (type == DataType.FLOAT) {
                float[] v = chunk.read(source, 0);
                for (int row = 0, base = 0; row < chunk.rows(); row++, base += perSample) {
                    float factor = (float) scale[(int) chunk.firstRow() + row];
                    for (int i = base; i < base + perSample; i++) {
                        v[i] *= factor;
                    }
                }
                chunk.write(v, target);
            } else {
                double[] v = chunk.readDoubles(source, 0);
                for (int row = 0, base = 0; row < chunk.rows(); row++, base += perSample) {
                    double factor = scale[(int) chunk.firstRow() + row];
                    for (int i = base; i < base + perSample; i++) {
                        v[i] *= factor;
                    }
                }
                chunk.write(v, target);
            }
        });
        if (target != into) {
            into.assign(target);
        }
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
