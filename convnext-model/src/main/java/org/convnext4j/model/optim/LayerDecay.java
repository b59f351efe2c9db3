package org.convnext4j.model.optim;

import java.util.List;
import java.util.Locale;

import org.convnext4j.model.Vertex;

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
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final int HEAD_GROUP = 13;

    private LayerDecay() {
    }

    /** The vertex's group in the {@link Scheme#GROUP} scheme. */
    public static int group(Vertex vertex) {
        int stage = vertex.stage();
        return switch (vertex.kind()) {
            case STEM -> 0;
            case DOWNSAMPLE -> stage == 3 ? 12 : stage + 1;
            case BLOCK -> switch (stage) {
                case 0, 1 -> stage + 1;
                case 2 -> 3 + vertex.index() / 3;
                default -> 12;
            };
            case HEAD -> HEAD_GROUP;
        };
    }

    public static double scale(Vertex vertex, double decay) {
        return Math.pow(decay, HEAD_GROUP - group(vertex));
    }

    /** The factor of the vertex's learning rate under {@code scheme}, for a network of these stage depths. */
    public static double scale(Scheme scheme, Vertex vertex, double decay, List<Integer> depths) {
        if (scheme == Scheme.GROUP) {
            return scale(vertex, decay);
        }
        int blocks = depths.stream().mapToInt(Integer::intValue).sum();
        return Math.pow(decay, blocks + 1 - singleLayer(vertex, depths));
    }

    /** The layer number of a vertex in the {@link Scheme#SINGLE} scheme. */
    static int singleLayer(Vertex vertex, List<Integer> depths) {
        int before = depths.subList(0, vertex.stage()).stream().mapToInt(Integer::intValue).sum();
        return switch (vertex.kind()) {
            case STEM, DOWNSAMPLE -> before + 1;   // with the stage's first block
            case BLOCK -> before + 1 + vertex.index();
            case HEAD -> before + 1;               // all blocks are before it: L + 1
        };
    }
}
