package org.convnext4j.model.layers;

import java.util.Map;
import java.util.Objects;

import org.convnext4j.model.kernels.DropPath;
import org.convnext4j.model.kernels.Kernels;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A ConvNeXt block: x + drop_path(layer scale(Linear(4d, d)(GELU(Linear(d, 4d)(LayerNorm(7×7
 * depthwise conv(x))))))). NHWC in and out. Stochastic depth (see {@link DropPath}) applies in the
 * runtime's training passes; {@link #defineLayer} is the block at inference. Runs as
 * {@link ConvNeXtBlockRuntime} (see {@link HandWrittenLayer}).
 *
 * <p>The ConvNeXt V2 block ({@code grn}) puts global response normalisation between the GELU and the
 * second Linear and has no layer scale: with a the GELU's output, per sample and channel
 * G = ‖a‖₂ over the positions, N = G / (mean of G over the channels + 1e-6), GRN(a) = γ·(a·N) + β + a,
 * γ and β zero at initialisation (a new GRN is the identity). Its statistics are per sample.
 */
public class ConvNeXtBlock extends HandWrittenLayer {

    public static final String DW_WEIGHT = "dwW";
    public static final String DW_BIAS = "dwB";
    public static final String NORM_WEIGHT = "normW";
    public static final String NORM_BIAS = "normB";
    public static final String FC1_WEIGHT = "fc1W";
    public static final String FC1_BIAS = "fc1B";
    public static final String FC2_WEIGHT = "fc2W";
    public static final String FC2_BIAS = "fc2B";
    public static final String GAMMA = "gamma";
    public static final String GRN_GAMMA = "grnGamma";
    public static final String GRN_BETA = "grnBeta";
    public static final int KERNEL = Kernels.DEPTHWISE_KERNEL;
    public static final int MLP_RATIO = 4;

    private int dim;
    private boolean grn;
    private double layerScaleInit;
    private double dropPathRate;

    protected ConvNeXtBlock() {
        // for JSON
    }

    /**
     * @param grn            a ConvNeXt V2 block (GRN, no layer scale)
     * @param layerScaleInit initial layer scale; 0 means no layer scale parameter at all
     * @param dropPathRate   probability of dropping the residual branch of a sample in training
     */
    public ConvNeXtBlock(int dim, boolean grn, double layerScaleInit, double dropPathRate) {
        if (dim < 1 || !(layerScaleInit >= 0) || (grn && layerScaleInit != 0)) {
            throw new IllegalArgumentException("block needs dim > 0 and layer scale >= 0 (none with GRN), got dim=" + dim
                    + " grn=" + grn + " layerScaleInit=" + layerScaleInit);
        }
        this.dim = dim;
        this.grn = grn;
        this.layerScaleInit = layerScaleInit;
        this.dropPathRate = DropPath.checkedRate(dropPathRate);
    }

    public boolean hasLayerScale() {
        return layerScaleInit > 0;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        int hidden = MLP_RATIO * dim;
        params.addWeightParam(DW_WEIGHT, KERNEL, KERNEL, dim, 1);   // (kH, kW, C, depth multiplier)
        params.addWeightParam(FC1_WEIGHT, dim, hidden);             // (in, out)
        params.addWeightParam(FC2_WEIGHT, hidden, dim);
        params.addBiasParam(DW_BIAS, dim);
        params.addBiasParam(NORM_WEIGHT, dim);
        params.addBiasParam(NORM_BIAS, dim);
        params.addBiasParam(FC1_BIAS, hidden);
        params.addBiasParam(FC2_BIAS, dim);
        if (hasLayerScale()) {
            params.addBiasParam(GAMMA, dim);
        }
        if (grn) {
            // Bias parameters: never weight-decayed, as the ConvNeXt V2 authors advise for GRN.
            params.addBiasParam(GRN_GAMMA, hidden);
            params.addBiasParam(GRN_BETA, hidden);
        }
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get(DW_BIAS).assign(0);
        params.get(NORM_WEIGHT).assign(1);
        params.get(NORM_BIAS).assign(0);
        params.get(FC1_BIAS).assign(0);
        params.get(FC2_BIAS).assign(0);
        if (hasLayerScale()) {
            params.get(GAMMA).assign(layerScaleInit);
        }
        if (grn) {
            params.get(GRN_GAMMA).assign(0);
            params.get(GRN_BETA).assign(0);
        }
    }

    @Override
    protected void initializeWeights(Map<String, INDArray> params, WeightDraws draws) {
        draws.truncatedNormal(params.get(DW_WEIGHT), ConvNeXtInit.WEIGHT_STD);
        draws.truncatedNormal(params.get(FC1_WEIGHT), ConvNeXtInit.WEIGHT_STD);
        draws.truncatedNormal(params.get(FC2_WEIGHT), ConvNeXtInit.WEIGHT_STD);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> params, SDVariable mask) {
        SDVariable x = sd.cnn().depthWiseConv2d(input, params.get(DW_WEIGHT), params.get(DW_BIAS),
                ConvNeXtOps.depthwise7x7());
        x = ConvNeXtOps.layerNormLastAxis(sd, x, 4, params.get(NORM_WEIGHT), params.get(NORM_BIAS));
        SDVariable rows = x.reshape(-1, dim);                                   // (N, H, W, C) -> (N*H*W, C)
        SDVariable hidden = ConvNeXtOps.gelu(sd, rows.mmul(params.get(FC1_WEIGHT)).add(params.get(FC1_BIAS)));
        if (grn) {
            hidden = ConvNeXtOps.globalResponseNorm(sd, hidden, input, MLP_RATIO * dim, params.get(GRN_GAMMA), params.get(GRN_BETA));
        }
        SDVariable out = hidden.mmul(params.get(FC2_WEIGHT)).add(params.get(FC2_BIAS));
        if (hasLayerScale()) {
            out = out.mul(params.get(GAMMA));
        }
        return input.add(out.reshape(input.shape()));                          // back to (N, H, W, C), plus x
    }

    @Override
    protected org.deeplearning4j.nn.layers.samediff.SameDiffLayer runtimeLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new ConvNeXtBlockRuntime(conf, dataType, dim, grn, hasLayerScale(), dropPathRate);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        Shapes.convolutional(inputType, CNN2DFormat.NHWC, dim, "block");
        return inputType;
    }

    public int getDim() {
        return dim;
    }

    public void setDim(int dim) {
        this.dim = dim;
    }

    public boolean isGrn() {
        return grn;
    }

    public void setGrn(boolean grn) {
        this.grn = grn;
    }

    public double getLayerScaleInit() {
        return layerScaleInit;
    }

    public void setLayerScaleInit(double layerScaleInit) {
        this.layerScaleInit = layerScaleInit;
    }

    public double getDropPathRate() {
        return dropPathRate;
    }

    public void setDropPathRate(double dropPathRate) {
        this.dropPathRate = dropPathRate;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && dim == ((ConvNeXtBlock) o).dim && grn == ((ConvNeXtBlock) o).grn
                && Double.compare(layerScaleInit, ((ConvNeXtBlock) o).layerScaleInit) == 0
                && Double.compare(dropPathRate, ((ConvNeXtBlock) o).dropPathRate) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), dim, grn, layerScaleInit, dropPathRate);
    }
}
