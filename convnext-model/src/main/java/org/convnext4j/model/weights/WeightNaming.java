package org.convnext4j.model.weights;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtVariants;
import org.convnext4j.model.Vertex;
import org.convnext4j.model.layers.ConvNeXtBlock;
import org.convnext4j.model.layers.ConvNeXtDownsample;
import org.convnext4j.model.layers.ConvNeXtHead;
import org.convnext4j.model.layers.ConvNeXtStem;

/**
 * The PyTorch conventions for naming ConvNeXt (and ConvNeXt V2) weights, and the one table that maps each
 * name to our parameter: {@link #entries} generates it from the architecture for all three. torchvision
 * has no V2.
 *
 * <p>A stage's downsampling sits with the stage in timm and torchvision, and in a separate list
 * (whose first entry is the stem) in the official code; {@link #entries} follows each one's state
 * dict order, so an export reads like the checkpoint it imitates.
 */
public enum WeightNaming {

    /** facebookresearch/ConvNeXt: {@code downsample_layers.*}, {@code stages.S.B.*}, {@code norm}, {@code head}. */
    OFFICIAL("downsample_layers.0.", true, "dwconv", "norm", "pwconv1", "pwconv2", "gamma", TensorLayout.VECTOR,
            "grn.gamma", "grn.beta", TensorLayout.CHANNELS_LAST_SCALE, "norm.", "head.") {
        @Override
        String downsample(int stage) {
            return "downsample_layers." + stage + ".";
        }

        @Override
        String block(int stage, int index) {
            return "stages." + stage + "." + index + ".";
        }
    },

    /** timm: {@code stem.*}, {@code stages.S.downsample.*}, {@code stages.S.blocks.B.*}, {@code head.norm}, {@code head.fc}. */
    TIMM("stem.", false, "conv_dw", "norm", "mlp.fc1", "mlp.fc2", "gamma", TensorLayout.VECTOR,
            "mlp.grn.weight", "mlp.grn.bias", TensorLayout.VECTOR, "head.norm.", "head.fc.") {
        @Override
        String downsample(int stage) {
            return "stages." + stage + ".downsample.";
        }

        @Override
        String block(int stage, int index) {
            return "stages." + stage + ".blocks." + index + ".";
        }
    },

    /** torchvision: {@code features.N.*} (stem, stages and downsampling alternate), {@code classifier.*}. */
    TORCHVISION("features.0.", false, "block.0", "block.2", "block.3", "block.5", "layer_scale",
            TensorLayout.CHANNEL_SCALE, null, null, null, "classifier.0.", "classifier.2.") {
        @Override
        String downsample(int stage) {
            return "features." + (2 * stage) + ".";
        }

        @Override
        String block(int stage, int index) {
            return "features." + (2 * stage + 1) + "." + index + ".";
        }
    };

    /**
     * One tensor of a PyTorch state dict and the network parameter it fills.
     *
     * @param tensor the PyTorch name
     * @param vertex our graph vertex
     * @param param  the parameter key within the vertex's layer
     * @param layout how the PyTorch layout relates to ours
     */
    public record Entry(String tensor, Vertex vertex, String param, TensorLayout layout) {

        /** The key of the parameter in {@code ComputationGraph.paramTable()}. */
        public String paramName() {
            return vertex.name() + "_" + param;
        }
    }

    /**
     * Prefixes that wrappers put before every name: {@code module.} from DistributedDataParallel and
     * DataParallel, {@code model.} from training frameworks that hold the network in a field. They are
     * stripped only when every name carries them, so a stray key cannot change how the others read.
     */
    private static final List<String> WRAPPER_PREFIXES = List.of("module.", "model.");

    private final String stem;
    private final boolean downsamplingBeforeStages;
    private final String depthwise;
    private final String blockNorm;
    private final String fc1;
    private final String fc2;
    private final String layerScale;
    private final TensorLayout layerScaleLayout;
    private final String grnGamma;
    private final String grnBeta;
    private final TensorLayout grnLayout;
    private final String headNorm;
    private final String headFc;

    /**
     * @param stem                     module prefix of the stem: conv {@code .0}, LayerNorm {@code .1}
     * @param downsamplingBeforeStages whether the state dict lists all downsampling before all stages
     * @param depthwise                a block's submodules, relative to {@link #block}: 7×7 depthwise conv,
     * @param blockNorm                LayerNorm,
     * @param fc1                      Linear d → 4d,
     * @param fc2                      Linear 4d → d,
     * @param layerScale               and its layer scale parameter, in {@code layerScaleLayout};
     * @param grnGamma                 V2's GRN scale
     * @param grnBeta                  and shift, in {@code grnLayout} (null: the convention has no V2)
     * @param headNorm                 module prefix of the head's LayerNorm
     * @param headFc                   module prefix of the classifier Linear
     */
    WeightNaming(String stem, boolean downsamplingBeforeStages, String depthwise, String blockNorm, String fc1,
                 String fc2, String layerScale, TensorLayout layerScaleLayout, String grnGamma, String grnBeta,
                 TensorLayout grnLayout, String headNorm, String headFc) {
        this.stem = stem;
        this.downsamplingBeforeStages = downsamplingBeforeStages;
        this.depthwise = depthwise;
        this.blockNorm = blockNorm;
        this.fc1 = fc1;
        this.fc2 = fc2;
        this.layerScale = layerScale;
        this.layerScaleLayout = layerScaleLayout;
        this.grnGamma = grnGamma;
        this.grnBeta = grnBeta;
        this.grnLayout = grnLayout;
        this.headNorm = headNorm;
        this.headFc = headFc;
    }

    /** Module prefix, ending in a dot, of the downsampling before stage {@code stage} (1..3): LN is {@code .0}, conv {@code .1}. */
    abstract String downsample(int stage);

    /** Module prefix, ending in a dot, of block {@code index} of stage {@code stage}. */
    abstract String block(int stage, int index);

    /** The name of the stem convolution's weight, which tells the three conventions apart. */
    String stemConvWeight() {
        return stem + "0.weight";
    }

    String depthwiseWeight(int stage, int index) {
        return block(stage, index) + depthwise + ".weight";
    }

    String layerScale(int stage, int index) {
        return block(stage, index) + layerScale;
    }

    /** Whether this convention names ConvNeXt V2's GRN parameters (torchvision has no V2). */
    public boolean hasGrn() {
        return grnGamma != null;
    }

    String grnGamma(int stage, int index) {
        return block(stage, index) + grnGamma;
    }

    String headFcWeight() {
        return headFc + "weight";
    }

    /** Every tensor of a network with this architecture, in this convention's state dict order. */
    public List<Entry> entries(ConvNeXtConfig config) {
        if (config.grn() && !hasGrn()) {
            throw new IncompatibleWeightsException(this + " names have no ConvNeXt V2 (GRN) weights; use official or timm names");
        }
        List<List<Entry>> downsampling = new ArrayList<>();
        List<List<Entry>> blocks = new ArrayList<>();
        for (int stage = 0; stage < ConvNeXtConfig.STAGES; stage++) {
            downsampling.add(stage == 0 ? stemEntries() : downsampleEntries(stage));
            blocks.add(blockEntries(config, stage));
        }
        List<Entry> entries = new ArrayList<>();
        if (downsamplingBeforeStages) {
            downsampling.forEach(entries::addAll);
            blocks.forEach(entries::addAll);
        } else {
            for (int stage = 0; stage < ConvNeXtConfig.STAGES; stage++) {
                entries.addAll(downsampling.get(stage));
                entries.addAll(blocks.get(stage));
            }
        }
        Vertex head = Vertex.HEAD;
        addWeightAndBias(entries, headNorm, head, ConvNeXtHead.NORM_WEIGHT, ConvNeXtHead.NORM_BIAS, TensorLayout.VECTOR);
        addWeightAndBias(entries, headFc, head, ConvNeXtHead.FC_WEIGHT, ConvNeXtHead.FC_BIAS, TensorLayout.LINEAR);
        return entries;
    }

    private List<Entry> stemEntries() {
        List<Entry> entries = new ArrayList<>();
        Vertex vertex = Vertex.STEM;
        addWeightAndBias(entries, stem + "0.", vertex, ConvNeXtStem.CONV_WEIGHT, ConvNeXtStem.CONV_BIAS, TensorLayout.CONV);
        addWeightAndBias(entries, stem + "1.", vertex, ConvNeXtStem.NORM_WEIGHT, ConvNeXtStem.NORM_BIAS, TensorLayout.VECTOR);
        return entries;
    }

    private List<Entry> downsampleEntries(int stage) {
        List<Entry> entries = new ArrayList<>();
        String module = downsample(stage);
        Vertex vertex = Vertex.downsample(stage);
        addWeightAndBias(entries, module + "0.", vertex, ConvNeXtDownsample.NORM_WEIGHT, ConvNeXtDownsample.NORM_BIAS,
                TensorLayout.VECTOR);
        addWeightAndBias(entries, module + "1.", vertex, ConvNeXtDownsample.CONV_WEIGHT, ConvNeXtDownsample.CONV_BIAS,
                TensorLayout.CONV);
        return entries;
    }

    private List<Entry> blockEntries(ConvNeXtConfig config, int stage) {
        List<Entry> entries = new ArrayList<>();
        for (int index = 0; index < config.depths().get(stage); index++) {
            String module = block(stage, index);
            Vertex vertex = Vertex.block(stage, index);
            // A module's own parameters precede its submodules' in a state dict, so layer scale comes first.
            if (config.hasLayerScale()) {
                entries.add(new Entry(layerScale(stage, index), vertex, ConvNeXtBlock.GAMMA, layerScaleLayout));
            }
            addWeightAndBias(entries, module + depthwise + ".", vertex, ConvNeXtBlock.DW_WEIGHT, ConvNeXtBlock.DW_BIAS,
                    TensorLayout.DEPTHWISE);
            addWeightAndBias(entries, module + blockNorm + ".", vertex, ConvNeXtBlock.NORM_WEIGHT,
                    ConvNeXtBlock.NORM_BIAS, TensorLayout.VECTOR);
            addWeightAndBias(entries, module + fc1 + ".", vertex, ConvNeXtBlock.FC1_WEIGHT, ConvNeXtBlock.FC1_BIAS,
                    mlpLayout(config));
            if (config.grn()) {
                entries.add(new Entry(module + grnGamma, vertex, ConvNeXtBlock.GRN_GAMMA, grnLayout));
                entries.add(new Entry(module + grnBeta, vertex, ConvNeXtBlock.GRN_BETA, grnLayout));
            }
            addWeightAndBias(entries, module + fc2 + ".", vertex, ConvNeXtBlock.FC2_WEIGHT, ConvNeXtBlock.FC2_BIAS,
                    mlpLayout(config));
        }
        return entries;
    }

    /**
     * How this convention stores a block's fc1 and fc2 weights for this architecture: as Linear weights,
     * except timm's atto, femto, pico and nano, which timm builds with {@code conv_mlp=True} (1×1
     * convolutions), V1 and V2 alike. Reading accepts either shape (see {@link TensorLayout#matching}).
     */
    private TensorLayout mlpLayout(ConvNeXtConfig config) {
        return this == TIMM && List.of("convnext_atto", "convnext_femto", "convnext_pico", "convnext_nano").stream().map(ConvNeXtVariants::get)
                .anyMatch(variant -> variant.depths().equals(config.depths()) && variant.dims().equals(config.dims()))
                ? TensorLayout.POINTWISE_CONV : TensorLayout.LINEAR;
    }

    private static void addWeightAndBias(List<Entry> entries, String module, Vertex vertex, String weightKey,
                                         String biasKey, TensorLayout weightLayout) {
        entries.add(new Entry(module + "weight", vertex, weightKey, weightLayout));
        entries.add(new Entry(module + "bias", vertex, biasKey, TensorLayout.VECTOR));
    }

    /**
     * The convention of a set of tensor names, told by its stem convolution; wrapper prefixes are
     * allowed (see {@link #unwrap}).
     *
     * @throws IncompatibleWeightsException if no convention matches
     */
    public static WeightNaming detect(Set<String> names) {
        Set<String> bare = strip(names, wrapperPrefix(names));
        for (WeightNaming naming : values()) {
            if (bare.contains(naming.stemConvWeight())) {
                return naming;
            }
        }
        List<String> known = Stream.of(values()).map(WeightNaming::stemConvWeight).toList();
        String sample = names.stream().sorted().limit(4).collect(Collectors.joining(", "));
        throw new IncompatibleWeightsException("not ConvNeXt weights in a known naming: none of " + known
                + " among the " + names.size() + " tensors (e.g. " + sample + ")");
    }

    /** {@code tensors} without the wrapper prefix every name shares, if any; otherwise {@code tensors} itself. */
    public static <T> Map<String, T> unwrap(Map<String, T> tensors) {
        String prefix = wrapperPrefix(tensors.keySet());
        if (prefix.isEmpty()) {
            return tensors;
        }
        Map<String, T> bare = new LinkedHashMap<>();
        tensors.forEach((name, tensor) -> bare.put(name.substring(prefix.length()), tensor));
        return bare;
    }

    /** The wrapper prefixes, possibly nested ({@code module.model.}), that every name starts with. */
    private static String wrapperPrefix(Collection<String> names) {
        StringBuilder prefix = new StringBuilder();
        boolean stripped = !names.isEmpty();
        while (stripped) {
            stripped = false;
            for (String wrapper : WRAPPER_PREFIXES) {
                String candidate = prefix + wrapper;
                if (names.stream().allMatch(name -> name.startsWith(candidate))) {
                    prefix.append(wrapper);
                    stripped = true;
                }
            }
        }
        return prefix.toString();
    }

    private static Set<String> strip(Set<String> names, String prefix) {
        return names.stream().map(name -> name.substring(prefix.length())).collect(Collectors.toSet());
    }
}
