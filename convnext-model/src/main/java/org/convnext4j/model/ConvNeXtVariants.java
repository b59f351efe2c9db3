package org.convnext4j.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The registry of ConvNeXt variants by name, as data; every entry has a 1000-class head. ConvNeXt V2
 * ({@code convnextv2_*}, timm's names) differs by one flag: GRN in each block's MLP, no layer scale.
 */
public final class ConvNeXtVariants {

    /** A variant small enough for gradient checks and fixtures; not a published architecture. */
    public static final String TEST = "convnext_test";
    /** The V2 counterpart of {@link #TEST}. */
    public static final String TEST_V2 = "convnextv2_test";

    private static final Map<String, ConvNeXtConfig> VARIANTS = new LinkedHashMap<>();

    static {
        register("convnext_atto", List.of(2, 2, 6, 2), List.of(40, 80, 160, 320));
        register("convnext_femto", List.of(2, 2, 6, 2), List.of(48, 96, 192, 384));
        register("convnext_pico", List.of(2, 2, 6, 2), List.of(64, 128, 256, 512));
        register("convnext_nano", List.of(2, 2, 8, 2), List.of(80, 160, 320, 640));
        register("convnext_tiny", List.of(3, 3, 9, 3), List.of(96, 192, 384, 768));
        register("convnext_small", List.of(3, 3, 27, 3), List.of(96, 192, 384, 768));
        register("convnext_base", List.of(3, 3, 27, 3), List.of(128, 256, 512, 1024));
        register("convnext_large", List.of(3, 3, 27, 3), List.of(192, 384, 768, 1536));
        register("convnext_xlarge", List.of(3, 3, 27, 3), List.of(256, 512, 1024, 2048));
        register(TEST, List.of(1, 1, 2, 1), List.of(8, 16, 24, 32));
        registerV2("convnextv2_atto", List.of(2, 2, 6, 2), List.of(40, 80, 160, 320));
        registerV2("convnextv2_femto", List.of(2, 2, 6, 2), List.of(48, 96, 192, 384));
        registerV2("convnextv2_pico", List.of(2, 2, 6, 2), List.of(64, 128, 256, 512));
        registerV2("convnextv2_nano", List.of(2, 2, 8, 2), List.of(80, 160, 320, 640));
        registerV2("convnextv2_tiny", List.of(3, 3, 9, 3), List.of(96, 192, 384, 768));
        registerV2("convnextv2_small", List.of(3, 3, 27, 3), List.of(96, 192, 384, 768));
        registerV2("convnextv2_base", List.of(3, 3, 27, 3), List.of(128, 256, 512, 1024));
        registerV2("convnextv2_large", List.of(3, 3, 27, 3), List.of(192, 384, 768, 1536));
        registerV2("convnextv2_huge", List.of(3, 3, 27, 3), List.of(352, 704, 1408, 2816));
        registerV2(TEST_V2, List.of(1, 1, 2, 1), List.of(8, 16, 24, 32));
    }

    private ConvNeXtVariants() {
    }

    private static void register(String name, List<Integer> depths, List<Integer> dims) {
        VARIANTS.put(name, new ConvNeXtConfig(depths, dims, false, 0.0, ConvNeXtConfig.DEFAULT_LAYER_SCALE_INIT, 1.0, 1000));
    }

    private static void registerV2(String name, List<Integer> depths, List<Integer> dims) {
        VARIANTS.put(name, new ConvNeXtConfig(depths, dims, true, 0.0, 0.0, 1.0, 1000));
    }

    public static Set<String> names() {
        return VARIANTS.keySet();
    }

    /** The named variant; an unknown name is an error that lists the known ones. */
    public static ConvNeXtConfig get(String name) {
        ConvNeXtConfig config = VARIANTS.get(name);
        if (config == null) {
            throw new IllegalArgumentException("unknown variant '" + name + "', expected one of " + names());
        }
        return config;
    }
}
