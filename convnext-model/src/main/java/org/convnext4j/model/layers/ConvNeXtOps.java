package org.convnext4j.model.layers;

import org.convnext4j.model.kernels.DepthwiseReach;
import org.convnext4j.model.kernels.Kernels;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/** The building blocks of the ConvNeXt layers' SameDiff definitions. Activations are channels-last (NHWC). */
final class ConvNeXtOps {

    private static final double INV_SQRT_2 = 1.0 / Math.sqrt(2.0);

    private ConvNeXtOps() {
    }

    /**
     * LayerNorm over the last axis with eps 1e-6, written from mean and variance because ND4J's
     * {@code layer_norm} op has no epsilon argument.
     */
    static SDVariable layerNormLastAxis(SameDiff sd, SDVariable x, int rank, SDVariable weight, SDVariable bias) {
        int axis = rank - 1;
        SDVariable centered = x.sub(sd.mean(x, true, axis));
        SDVariable variance = sd.mean(centered.mul(centered), true, axis);
        SDVariable normalized = centered.div(sd.math().sqrt(variance.add(Kernels.LAYER_NORM_EPS)));
        return normalized.mul(weight).add(bias);
    }

    /** Exact GELU, 0.5·x·(1 + erf(x/√2)): ND4J's gelu ops are approximations off by up to 3e-2. */
    static SDVariable gelu(SameDiff sd, SDVariable x) {
        SDVariable erf = sd.math().erf(x.mul(INV_SQRT_2));
        return x.mul(erf.add(1.0)).mul(0.5);
    }

    /**
     * ConvNeXt V2's GRN of a block's hidden rows (N·H·W, channels), per sample: the rows are taken back to
     * the (N, H, W, channels) shape of the block's {@code input}, the L2 norm is over H and W, the mean over
     * the channels, eps 1e-6: γ·(x·N) + β + x.
     */
    static SDVariable globalResponseNorm(SameDiff sd, SDVariable rows, SDVariable input, int channels, SDVariable gamma,
                                         SDVariable beta) {
        SDVariable positions = input.shape().get(SDIndex.interval(0, 3));
        SDVariable shape = sd.concat(0, positions, sd.constant(Nd4j.createFromArray((long) channels)).castTo(positions.dataType()));
        SDVariable x = rows.reshape(shape);
        SDVariable norms = sd.math().sqrt(x.mul(x).sum(true, 1, 2));
        SDVariable normalized = norms.div(sd.mean(norms, true, 3).add(Kernels.GRN_EPS));
        return x.mul(normalized).mul(gamma).add(beta).add(x).reshape(-1, channels);
    }

    /** A strided, unpadded channels-last convolution whose kernel equals its stride (stem and downsampling). */
    static Conv2DConfig patchify(int kernel) {
        return Conv2DConfig.builder()
                .kH(kernel).kW(kernel).sH(kernel).sW(kernel)
                .paddingMode(PaddingMode.VALID)
                .dataFormat(Conv2DConfig.NHWC)
                .weightsFormat(WeightsFormat.YXIO)
                .build();
    }

    /** The 7×7 depthwise convolution of a block: stride 1, padding 3, channels-last. */
    static Conv2DConfig depthwise7x7() {
        return DepthwiseReach.of(Kernels.DEPTHWISE_KERNEL, Kernels.DEPTHWISE_KERNEL).convolution();
    }
}
