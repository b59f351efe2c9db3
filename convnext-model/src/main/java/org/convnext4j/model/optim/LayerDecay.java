package org.convnext4j.model.optim;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.convnext4j.model.ConvNeXtGraph;

/**
 * Layer-wise learning-rate decay as the official ConvNeXt fine-tuning code groups the network:
 * stem 0; stages 0 and 1 (with the downsampling before stage 1) 1 and 2; stage 2 in groups of three
 * blocks from 3 (its downsampling 3); stage 3 and its downsampling 12; head 13. A group's learning
 * rate is scaled by decay^(13 − group). Unlike the official code, every variant may use it.
 */
public final class LayerDecay {

    public static final int HEAD_GROUP = 13;
    private static final Pattern BLOCK = Pattern.compile("s(\\d)\\.b(\\d+)(\\..*)?");
    private static final Pattern DOWNSAMPLE = Pattern.compile("s(\\d)\\.downsample");

    private LayerDecay() {
    }

    public static int group(String vertex) {
        if (vertex.equals(ConvNeXtGraph.STEM)) {
            return 0;
        }
        if (vertex.equals(ConvNeXtGraph.HEAD) || vertex.equals(ConvNeXtGraph.OUTPUT)) {
            return HEAD_GROUP;
        }
        Matcher downsample = DOWNSAMPLE.matcher(vertex);
        if (downsample.matches()) {
            int stage = Integer.parseInt(downsample.group(1));
            return stage == 3 ? 12 : stage + 1;
        }
        Matcher block = BLOCK.matcher(vertex);
        if (block.matches()) {
            int stage = Integer.parseInt(block.group(1));
            int index = Integer.parseInt(block.group(2));
            return switch (stage) {
                case 0, 1 -> stage + 1;
                case 2 -> 3 + index / 3;
                default -> 12;
            };
        }
        throw new IllegalArgumentException("not a ConvNeXt vertex: " + vertex);
    }

    public static double scale(String vertex, double decay) {
        return Math.pow(decay, HEAD_GROUP - group(vertex));
    }
}
