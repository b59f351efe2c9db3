package org.convnext4j.model.optim;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.convnext4j.model.ConvNeXtGraph;

/**
 * Layer-wise learning-rate decay as the official ConvNeXt fine-tuning code groups the network. The
 * {@link Scheme#GROUP} scheme (ConvNeXt, and ConvNeXt V2's base and larger): stem 0; stages 0 and 1
 * (with the downsampling before stage 1) 1 and 2; stage 2 in groups of three blocks from 3 (its
 * downsampling 3); stage 3 and its downsampling 12; head 13; a group's learning rate is scaled by
 * decay^(13 − group). The {@link Scheme#SINGLE} scheme (ConvNeXt V2's atto to tiny recipes): every block
 * a layer of its own, numbered from 1 (the stem and each downsampling share the number of the stage's
 * first block), the head L + 1 for L blocks, scaled by decay^(L + 1 − layer). Every variant may use either.
 */
public final class LayerDecay {

    /** How the layers are numbered; named as the official {@code layer_decay_type}. */
    public enum Scheme {
        GROUP, SINGLE;

        /** {@code group} or {@code single}. */
        public String yamlName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

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

    /** The factor of the vertex's learning rate under {@code scheme}, for a network of these stage depths. */
    public static double scale(Scheme scheme, String vertex, double decay, java.util.List<Integer> depths) {
        if (scheme == Scheme.GROUP) {
            return scale(vertex, decay);
        }
        int blocks = depths.stream().mapToInt(Integer::intValue).sum();
        return Math.pow(decay, blocks + 1 - singleLayer(vertex, depths));
    }

    /** The layer number of a vertex in the {@link Scheme#SINGLE} scheme. */
    static int singleLayer(String vertex, java.util.List<Integer> depths) {
        int blocks = depths.stream().mapToInt(Integer::intValue).sum();
        if (vertex.equals(ConvNeXtGraph.HEAD) || vertex.equals(ConvNeXtGraph.OUTPUT)) {
            return blocks + 1;
        }
        int stage = ConvNeXtGraph.stageOf(vertex);
        int before = depths.subList(0, stage).stream().mapToInt(Integer::intValue).sum();
        Matcher block = BLOCK.matcher(vertex);
        return before + 1 + (block.matches() ? Integer.parseInt(block.group(2)) : 0);
    }
}
