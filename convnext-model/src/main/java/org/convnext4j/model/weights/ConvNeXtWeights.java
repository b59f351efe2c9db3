package org.convnext4j.model.weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.Vertex;
import org.convnext4j.model.layers.ConvNeXtHead;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Moves PyTorch ConvNeXt and ConvNeXt V2 weights (official, timm or torchvision names and layouts) into a
 * network built by {@link ConvNeXtGraph}, and out again.
 */
public final class ConvNeXtWeights {

    /** What became of the head in a {@link #load}. */
    public enum Head {
        /** loaded from the weights */
        LOADED,
        /** the classifier kept fresh: the weights' has another class count */
        NEW_CLASSIFIER,
        /** norm and classifier kept fresh: the weights have none (ConvNeXt V2's FCMAE pre-training) */
        NEW_NORM_AND_CLASSIFIER
    }

    private ConvNeXtWeights() {
    }

    /** The tensors without wrapper prefixes, FCMAE pre-training layouts under official names. */
    private static Map<String, INDArray> bare(Map<String, INDArray> tensors) {
        return FcmaeWeights.asOfficial(WeightNaming.unwrap(tensors));
    }

    /** The naming convention of a state dict (see {@link WeightNaming#detect}), FCMAE checkpoints included. */
    public static WeightNaming naming(Map<String, INDArray> tensors) {
        return WeightNaming.detect(bare(tensors).keySet());
    }

    /**
     * Fills every parameter of {@code graph} from {@code tensors}, whose naming is detected. Everything
     * is checked before anything is written, so a failed load leaves the network as it was.
     *
     * @param config      the architecture {@code graph} was built from
     * @param tensors     a PyTorch state dict, possibly with a {@code module.}/{@code model.} wrapper prefix
     * @param replaceHead if the classifier's Linear has another class count than the network, keep the
     *                    network's freshly initialised one instead of failing (the head's norm still loads);
     *                    if the weights have no head at all (FCMAE pre-training), keep the network's norm and classifier
     * @return what became of the head
     * @throws IncompatibleWeightsException for an unknown naming, a layer scale mismatch, or a missing,
     *                                      unexpected or mis-shaped tensor
     */
    public static Head load(ComputationGraph graph, ConvNeXtConfig config, Map<String, INDArray> tensors,
                            boolean replaceHead) {
        Map<String, INDArray> bare = bare(tensors);
        WeightNaming naming = WeightNaming.detect(bare.keySet());
        Map<String, INDArray> params = graph.paramTable();
        List<WeightNaming.Entry> entries = naming.entries(config);
        checkGraphMatchesConfig(params, entries);
        checkGrn(naming, config, bare.keySet());
        checkLayerScale(naming, config, bare.keySet());

        boolean noHead = replaceHead && entries.stream().filter(entry -> entry.vertex().equals(Vertex.HEAD))
                .noneMatch(entry -> bare.containsKey(entry.tensor()));
        boolean keepHead = replaceHead && entries.stream()
                .anyMatch(entry -> isClassifier(entry) && bare.containsKey(entry.tensor())
                        && !Arrays.equals(bare.get(entry.tensor()).shape(), expectedShape(entry, params)));
        List<String> problems = new ArrayList<>();
        Map<WeightNaming.Entry, TensorLayout> toLoad = new LinkedHashMap<>();
        Set<String> unused = new LinkedHashSet<>(bare.keySet());
        for (WeightNaming.Entry entry : entries) {
            unused.remove(entry.tensor());
            if ((keepHead && isClassifier(entry)) || (noHead && entry.vertex().equals(Vertex.HEAD))) {
                continue;
            }
            INDArray tensor = bare.get(entry.tensor());
            long[] expected = expectedShape(entry, params);
            TensorLayout layout = tensor == null ? entry.layout()
                    : entry.layout().matching(tensor.shape(), params.get(entry.paramName()).shape());
            if (tensor == null) {
                problems.add("missing tensor '" + entry.tensor() + "' of shape " + Arrays.toString(expected));
            } else if (!Arrays.equals(tensor.shape(), layout.foreignShape(params.get(entry.paramName()).shape()))) {
                problems.add("tensor '" + entry.tensor() + "' has shape " + Arrays.toString(tensor.shape())
                        + ", expected " + Arrays.toString(expected)
                        + (isClassifier(entry) ? " (another class count? replace the head to fine-tune)" : ""));
            } else {
                toLoad.put(entry, layout);
            }
        }
        for (String name : unused) {
            problems.add("unexpected tensor '" + name + "' of shape " + Arrays.toString(bare.get(name).shape()));
        }
        if (!problems.isEmpty()) {
            String more = problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problems)" : "";
            throw new IncompatibleWeightsException(problems.get(0) + more + ", reading " + naming + " names");
        }

        // Our layers are DL4J SameDiff layers, whose setParam checks the shape but assigns nothing,
        // so values go straight into the parameter views; converting one at a time bounds the extra memory.
        toLoad.forEach((entry, layout) -> {
            INDArray target = params.get(entry.paramName());
            target.assign(layout.toOurs(bare.get(entry.tensor()), target.dataType()));
        });
        return noHead ? Head.NEW_NORM_AND_CLASSIFIER : keepHead ? Head.NEW_CLASSIFIER : Head.LOADED;
    }

    /**
     * The parameters of {@code graph} as a PyTorch state dict in {@code naming}'s names, layouts and
     * order, as FLOAT arrays whatever the network's data type.
     */
    public static Map<String, INDArray> export(ComputationGraph graph, ConvNeXtConfig config, WeightNaming naming) {
        Map<String, INDArray> params = graph.paramTable();
        List<WeightNaming.Entry> entries = naming.entries(config);
        checkGraphMatchesConfig(params, entries);
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        for (WeightNaming.Entry entry : entries) {
            tensors.put(entry.tensor(), entry.layout().toForeign(params.get(entry.paramName())));
        }
        return tensors;
    }

    /**
     * The architecture that {@code tensors} were saved from: depths, widths, class count and whether
     * layer scale is on (with the default initial value, which loading overwrites). Drop path rate 0
     * and head init scale 1, as training settings are not in a state dict.
     *
     * @throws IncompatibleWeightsException for an unknown naming or a state dict without blocks or classifier
     */
    public static ConvNeXtConfig inferConfig(Map<String, INDArray> tensors) {
        Map<String, INDArray> bare = bare(tensors);
        WeightNaming naming = WeightNaming.detect(bare.keySet());
        List<Integer> depths = new ArrayList<>();
        List<Integer> dims = new ArrayList<>();
        for (int stage = 0; stage < ConvNeXtConfig.STAGES; stage++) {
            int depth = 0;
            while (bare.containsKey(naming.depthwiseWeight(stage, depth))) {
                depth++;
            }
            depths.add(depth);
            dims.add(leadingSize(bare, naming.depthwiseWeight(stage, 0)));
        }
        if (!bare.containsKey(naming.headFcWeight())) {
            throw new IncompatibleWeightsException("the weights have no classifier ('" + naming.headFcWeight() + "'): pre-training"
                    + " weights (ConvNeXt V2's FCMAE) are for fine-tuning; name them as model.pretrained in a recipe");
        }
        int classes = leadingSize(bare, naming.headFcWeight());
        boolean layerScale = bare.containsKey(naming.layerScale(0, 0));
        boolean grn = naming.hasGrn() && bare.containsKey(naming.grnGamma(0, 0));
        return new ConvNeXtConfig(depths, dims, grn, 0.0, layerScale ? ConvNeXtConfig.DEFAULT_LAYER_SCALE_INIT : 0.0,
                1.0, classes);
    }

    private static int leadingSize(Map<String, INDArray> tensors, String name) {
        INDArray tensor = tensors.get(name);
        if (tensor == null || tensor.rank() == 0) {
            throw new IncompatibleWeightsException("cannot infer the architecture: "
                    + (tensor == null ? "no tensor '" + name + "'" : "tensor '" + name + "' is a scalar"));
        }
        return Math.toIntExact(tensor.size(0));
    }

    /** The classifier's Linear, which fine-tuning with another class count replaces; not the head's norm. */
    private static boolean isClassifier(WeightNaming.Entry entry) {
        return entry.vertex().equals(Vertex.HEAD)
                && (entry.param().equals(ConvNeXtHead.FC_WEIGHT) || entry.param().equals(ConvNeXtHead.FC_BIAS));
    }

    private static long[] expectedShape(WeightNaming.Entry entry, Map<String, INDArray> params) {
        return entry.layout().foreignShape(params.get(entry.paramName()).shape());
    }

    /** A graph built from another config would be half-filled or fail part-way; this is the caller's bug. */
    private static void checkGraphMatchesConfig(Map<String, INDArray> params, List<WeightNaming.Entry> entries) {
        for (WeightNaming.Entry entry : entries) {
            if (!params.containsKey(entry.paramName())) {
                throw new IllegalArgumentException("the network was not built from this config: it has no parameter "
                        + entry.paramName());
            }
        }
        if (params.size() != entries.size()) {
            throw new IllegalArgumentException("the network was not built from this config: it has " + params.size()
                    + " parameters, the config " + entries.size());
        }
    }

    /** V1 weights into a V2 network or the other way round would otherwise read as dozens of missing tensors. */
    private static void checkGrn(WeightNaming naming, ConvNeXtConfig config, Set<String> names) {
        boolean inWeights = naming.hasGrn() && names.contains(naming.grnGamma(0, 0));
        if (inWeights != config.grn()) {
            throw new IncompatibleWeightsException(inWeights
                    ? "the weights are ConvNeXt V2 (they have '" + naming.grnGamma(0, 0) + "') but the network is ConvNeXt V1; use a convnextv2_* variant"
                    : "the network is ConvNeXt V2 but the weights have no GRN (no '" + naming.grnGamma(0, 0) + "'); use a convnext_* (V1) variant");
        }
    }

    /** Layer scale on one side only would otherwise read as dozens of missing or unexpected tensors. */
    private static void checkLayerScale(WeightNaming naming, ConvNeXtConfig config, Set<String> names) {
        String firstScale = naming.layerScale(0, 0);
        boolean inWeights = names.contains(firstScale);
        if (inWeights && !config.hasLayerScale()) {
            throw new IncompatibleWeightsException("the weights have layer scale ('" + firstScale
                    + "') but the network has none; build it with a layer scale init above 0");
        }
        if (!inWeights && config.hasLayerScale()) {
            throw new IncompatibleWeightsException("the network has layer scale but the weights have none (no '"
                    + firstScale + "'); build it with layer scale init 0");
        }
    }
}
