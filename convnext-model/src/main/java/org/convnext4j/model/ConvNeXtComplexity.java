package org.convnext4j.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Parameter and multiply-accumulate counts of a ConvNeXt, computed from its configuration. MACs
 * count convolutions and linear layers only (norms, GELU and adds are left out), the convention
 * behind the published 4.46 GMACs of ConvNeXt-T at 224.
 */
public final class ConvNeXtComplexity {

    /** One part of the network: its output shape (channels-first) and cost. */
    public record Part(String name, long channels, long height, long width, long params, long macs) {
    }

    private ConvNeXtComplexity() {
    }

    /** Stem, the four stages (with their downsampling) and the head, in order. */
    public static List<Part> parts(ConvNeXtConfig config, int imageSize) {
        List<Part> parts = new ArrayList<>();
        List<Integer> dims = config.dims();
        long size = imageSize / 4;
        long d0 = dims.get(0);
        parts.add(new Part("stem", d0, size, size,
                ConvNeXtConfig.IN_CHANNELS * 16 * d0 + d0 + 2 * d0,
                size * size * d0 * ConvNeXtConfig.IN_CHANNELS * 16));
        for (int stage = 0; stage < ConvNeXtConfig.STAGES; stage++) {
            long d = dims.get(stage);
            long params = 0;
            long macs = 0;
            if (stage > 0) {
                long in = dims.get(stage - 1);
                size /= 2;
                params += 2 * in + 4 * in * d + d;
                macs += size * size * d * in * 4;
            }
            long blockParams = 49 * d + d + 2 * d + 8 * d * d + 4 * d + d + (config.hasLayerScale() ? d : 0)
                    + (config.grn() ? 2 * 4 * d : 0);
            long blockMacs = size * size * (49 * d + 8 * d * d);
            int depth = config.depths().get(stage);
            params += depth * blockParams;
            macs += depth * blockMacs;
            parts.add(new Part("stage" + stage, d, size, size, params, macs));
        }
        long d3 = dims.get(3);
        long k = config.numClasses();
        parts.add(new Part("head", k, 1, 1, 2 * d3 + d3 * k + k, d3 * k));
        return parts;
    }

    public static long totalParams(ConvNeXtConfig config) {
        return parts(config, 224).stream().mapToLong(Part::params).sum();
    }

    public static long totalMacs(ConvNeXtConfig config, int imageSize) {
        return parts(config, imageSize).stream().mapToLong(Part::macs).sum();
    }
}
