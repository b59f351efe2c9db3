package org.convnext4j.model;

import java.util.ArrayList;
import java.util.List;

/**
 * One ConvNeXt layer of the graph as a value: what it is and where it sits. Layer decay, freezing and the
 * weight-name table ask the value; {@link #name()} is only for DL4J, which keys vertices by string.
 *
 * <pre>
 * STEM        stage 0          "stem"
 * DOWNSAMPLE  stage 1..3       "s{stage}.downsample"   (before the stage's first block)
 * BLOCK       stage 0..3, j    "s{stage}.b{j}"
 * HEAD        stage 4          "head"                  (after the last stage: never frozen)
 * </pre>
 *
 * @param kind  which of the four layer types
 * @param stage the stage it belongs to, the stem counting as stage 0 and the head as stage {@link ConvNeXtConfig#STAGES}
 * @param index a block's position in its stage; 0 for the other kinds
 */
public record Vertex(Kind kind, int stage, int index) {

    public enum Kind { STEM, DOWNSAMPLE, BLOCK, HEAD }

    public static final Vertex STEM = new Vertex(Kind.STEM, 0, 0);
    public static final Vertex HEAD = new Vertex(Kind.HEAD, ConvNeXtConfig.STAGES, 0);

    public Vertex {
        java.util.Objects.requireNonNull(kind, "kind");
        boolean valid = switch (kind) {
            case STEM -> stage == 0 && index == 0;
            case DOWNSAMPLE -> stage >= 1 && stage < ConvNeXtConfig.STAGES && index == 0;
            case BLOCK -> stage >= 0 && stage < ConvNeXtConfig.STAGES && index >= 0;
            case HEAD -> stage == ConvNeXtConfig.STAGES && index == 0;
        };
        if (!valid) {
            throw new IllegalArgumentException("no ConvNeXt vertex " + kind + " at stage " + stage + " index " + index);
        }
    }

    /** The downsampling layer before stage {@code stage} (1..3). */
    public static Vertex downsample(int stage) {
        return new Vertex(Kind.DOWNSAMPLE, stage, 0);
    }

    /** Block {@code index} of stage {@code stage}. */
    public static Vertex block(int stage, int index) {
        return new Vertex(Kind.BLOCK, stage, index);
    }

    /** Every ConvNeXt layer of a network of this architecture, input to output. */
    public static List<Vertex> all(ConvNeXtConfig config) {
        List<Vertex> vertices = new ArrayList<>();
        vertices.add(STEM);
        for (int stage = 0; stage < ConvNeXtConfig.STAGES; stage++) {
            if (stage > 0) {
                vertices.add(downsample(stage));
            }
            for (int b = 0; b < config.depths().get(stage); b++) {
                vertices.add(block(stage, b));
            }
        }
        vertices.add(HEAD);
        return List.copyOf(vertices);
    }

    /** The DL4J vertex name; a parameter's key in {@code paramTable()} is this name, {@code _}, and the parameter. */
    public String name() {
        return switch (kind) {
            case STEM -> "stem";
            case DOWNSAMPLE -> "s" + stage + ".downsample";
            case BLOCK -> "s" + stage + ".b" + index;
            case HEAD -> "head";
        };
    }

    @Override
    public String toString() {
        return name();
    }
}
