package org.convnext4j.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.convnext4j.model.layers.ConvNeXtBlock;
import org.convnext4j.model.layers.ConvNeXtDownsample;
import org.convnext4j.model.layers.ConvNeXtHead;
import org.convnext4j.model.layers.HandWrittenLayer;
import org.convnext4j.model.layers.ConvNeXtStem;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Builds a ConvNeXt as a DL4J {@link ComputationGraph}, one vertex per {@link Vertex}, named by {@link Vertex#name()}.
 *
 * <pre>
 * input (N,3,H,W) → stem → s0.b0 … → s1.downsample → s1.b0 … → s3.b{last} → head (logits) → output (softmax + loss)
 * block s{i}.b{j}: one layer, x + drop_path(branch(x)), the residual add inside it
 * </pre>
 * Activations between ConvNeXt layers are channels-last (N,H,W,C).
 */
public final class ConvNeXtGraph {

    public static final String INPUT = "input";
    /** The loss layer after the head: softmax + cross-entropy, no parameters, not a ConvNeXt layer. */
    public static final String OUTPUT = "output";

    private ConvNeXtGraph() {
    }

    /** The vertex whose activation is stage {@code stage}'s output: its last block. */
    public static Vertex stageOutput(ConvNeXtConfig config, int stage) {
        return Vertex.block(stage, config.depths().get(stage) - 1);
    }

    /**
     * A freshly initialised network whose every layer is updated by {@code updater}: DL4J's {@code NoOp} for a
     * network that is only run (inference, export), the caller's optimizer otherwise; layer-wise rates and frozen
     * stages go through {@link #configuration(ConvNeXtConfig, int, long, DataType, Function)}.
     */
    public static ComputationGraph create(ConvNeXtConfig config, int imageSize, long seed, DataType dataType, IUpdater updater) {
        ComputationGraph graph = new ComputationGraph(configuration(config, imageSize, seed, dataType, updater));
        graph.init();
        return graph;
    }

    public static ComputationGraphConfiguration configuration(ConvNeXtConfig config, int imageSize, long seed,
                                                              DataType dataType, IUpdater updater) {
        LayerTraining training = new LayerTraining(updater, List.of());
        return configuration(config, imageSize, seed, dataType, vertex -> training);
    }

    /** @param trainingOf how each ConvNeXt layer is trained (layer-wise rates, frozen stages) */
    public static ComputationGraphConfiguration configuration(ConvNeXtConfig config, int imageSize, long seed,
                                                              DataType dataType, Function<Vertex, LayerTraining> trainingOf) {
        if (imageSize < 32) {
            throw new IllegalArgumentException("image size must be at least 32 (total stride), got " + imageSize);
        }
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(dataType)
                .updater(trainingOf.apply(Vertex.HEAD).updater())
                .graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional(imageSize, imageSize, ConvNeXtConfig.IN_CHANNELS));

        List<Integer> dims = config.dims();
        String previous = INPUT;
        int blockIndex = 0;   // over all stages: the drop-path rate rises block by block
        for (Vertex vertex : Vertex.all(config)) {
            int stage = vertex.stage();
            HandWrittenLayer layer = switch (vertex.kind()) {
                case STEM -> new ConvNeXtStem(ConvNeXtConfig.IN_CHANNELS, dims.get(0));
                case DOWNSAMPLE -> new ConvNeXtDownsample(dims.get(stage - 1), dims.get(stage));
                case BLOCK -> new ConvNeXtBlock(dims.get(stage), config.grn(), config.layerScaleInit(),
                        config.dropPathRateOf(blockIndex++));
                case HEAD -> new ConvNeXtHead(dims.get(3), config.numClasses(), config.headInitScale());
            };
            g.addLayer(vertex.name(), withTraining(layer, trainingOf.apply(vertex)), previous);
            previous = vertex.name();
        }
        g.addLayer(OUTPUT, new LossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .activation(Activation.SOFTMAX).build(), previous);
        g.setOutputs(OUTPUT);
        return g.build();
    }

    private static HandWrittenLayer withTraining(HandWrittenLayer layer, LayerTraining training) {
        layer.setUpdater(training.updater());
        layer.setBiasUpdater(training.updater());
        layer.setRegularization(training.weightRegularization());
        return layer;
    }

    /**
     * Logits for a batch of NCHW images, in inference mode: the head's output alone, the other layers'
     * activations left in DL4J's workspace rather than copied out.
     */
    public static INDArray logits(ComputationGraph graph, INDArray images) {
        return graph.output(List.of(Vertex.HEAD.name()), false, new INDArray[] {images}, null)[0];
    }

    /** Each stage's feature map (strides 4, 8, 16, 32) as NCHW arrays, in inference mode: a backbone's outputs. */
    public static List<INDArray> stageFeatures(ComputationGraph graph, ConvNeXtConfig config, INDArray images) {
        Map<String, INDArray> activations = graph.feedForward(images, false);
        List<INDArray> features = new ArrayList<>(ConvNeXtConfig.STAGES);
        for (int stage = 0; stage < ConvNeXtConfig.STAGES; stage++) {
            features.add(activations.get(stageOutput(config, stage).name()).permute(0, 3, 1, 2).dup('c'));
        }
        return features;
    }
}
