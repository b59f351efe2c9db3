package org.convnext4j.model;

import java.util.List;

/**
 * The architecture of one ConvNeXt network: what the official {@code ConvNeXt(...)} constructor takes.
 *
 * @param depths         blocks per stage, four stages
 * @param dims           channels per stage
 * @param grn            ConvNeXt V2 blocks: global response normalisation after the GELU, no layer scale
 * @param dropPathRate   stochastic depth rate of the last block; rates rise linearly from 0
 * @param layerScaleInit initial value of the per-channel layer scale; 0 disables layer scale
 * @param headInitScale  factor applied to the initial head weights and bias (0.001 when fine-tuning)
 * @param numClasses     size of the classifier output
 */
public record ConvNeXtConfig(List<Integer> depths, List<Integer> dims, boolean grn, double dropPathRate,
                             double layerScaleInit, double headInitScale, int numClasses) {

    public static final int STAGES = 4;
    public static final int IN_CHANNELS = 3;
    public static final double DEFAULT_LAYER_SCALE_INIT = 1e-6;

    public ConvNeXtConfig {
        depths = List.copyOf(depths);
        dims = List.copyOf(dims);
        if (depths.size() != STAGES || dims.size() != STAGES) {
            throw new IllegalArgumentException("depths and dims need " + STAGES + " entries each, got depths="
                    + depths + " dims=" + dims);
        }
        for (int i = 0; i < STAGES; i++) {
            if (depths.get(i) < 1 || dims.get(i) < 1) {
                throw new IllegalArgumentException("depths and dims must be positive, got depths=" + depths + " dims=" + dims);
            }
        }
        if (!(dropPathRate >= 0 && dropPathRate < 1)) {
            throw new IllegalArgumentException("drop_path_rate must be in [0, 1), got " + dropPathRate);
        }
        if (!(layerScaleInit >= 0) || Double.isInfinite(layerScaleInit)) {
            throw new IllegalArgumentException("layer_scale_init must be >= 0 (0 disables it), got " + layerScaleInit);
        }
        if (grn && layerScaleInit != 0) {
            throw new IllegalArgumentException("ConvNeXt V2 blocks (GRN) have no layer scale, got layer_scale_init "
                    + layerScaleInit);
        }
        if (!(headInitScale > 0) || Double.isInfinite(headInitScale)) {
            throw new IllegalArgumentException("head_init_scale must be > 0, got " + headInitScale);
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException("num_classes must be >= 1, got " + numClasses);
        }
    }

    /** The layer scale this architecture starts from by default: ConvNeXt's 1e-6, none in V2. */
    public static double defaultLayerScaleInit(boolean grn) {
        return grn ? 0 : DEFAULT_LAYER_SCALE_INIT;
    }

    public boolean hasLayerScale() {
        return layerScaleInit > 0;
    }

    public int totalBlocks() {
        return depths.stream().mapToInt(Integer::intValue).sum();
    }

    /** Drop-path rate of block {@code blockIndex} counted over all stages: linspace(0, rate, totalBlocks). */
    public double dropPathRateOf(int blockIndex) {
        int n = totalBlocks();
        return n == 1 ? 0.0 : dropPathRate * blockIndex / (n - 1);
    }

    public ConvNeXtConfig withNumClasses(int classes) {
        return new ConvNeXtConfig(depths, dims, grn, dropPathRate, layerScaleInit, headInitScale, classes);
    }

    public ConvNeXtConfig withDropPathRate(double rate) {
        return new ConvNeXtConfig(depths, dims, grn, rate, layerScaleInit, headInitScale, numClasses);
    }

    public ConvNeXtConfig withLayerScaleInit(double init) {
        return new ConvNeXtConfig(depths, dims, grn, dropPathRate, init, headInitScale, numClasses);
    }

    public ConvNeXtConfig withHeadInitScale(double scale) {
        return new ConvNeXtConfig(depths, dims, grn, dropPathRate, layerScaleInit, scale, numClasses);
    }
}
