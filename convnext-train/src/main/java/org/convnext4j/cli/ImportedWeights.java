package org.convnext4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.ConvNeXtVariants;
import org.convnext4j.model.io.ModelInfo;
import org.convnext4j.model.weights.ConvNeXtWeights;
import org.convnext4j.model.weights.PyTorchCheckpoint;
import org.convnext4j.model.weights.WeightFiles;
import org.convnext4j.model.weights.WeightNaming;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * A network of a named variant built from PyTorch weights (a .safetensors file or a .pth/.pt/.bin
 * checkpoint): what {@code import} saves and {@code predict --model x.pth --variant …} runs.
 *
 * @param read     what was read, e.g. {@code state dict under 'model' (182 tensors)}
 * @param newHead  whether the classifier was replaced (another class count than the file's)
 */
record ImportedWeights(ComputationGraph graph, ModelInfo info, WeightNaming naming, String read, boolean newHead) {

    /**
     * @param key        the checkpoint's top-level key holding the state dict, or null to find it
     * @param numClasses a new classifier of this size, or null for the file's
     * @param classNames the classes in index order, or null for "0", "1", …
     */
    static ImportedWeights read(Path weights, String key, String variant, Integer numClasses, List<String> classNames,
                                int imageSize) throws IOException {
        PyTorchCheckpoint.Selected selected = WeightFiles.read(weights, key);
        WeightNaming naming = ConvNeXtWeights.naming(selected.tensors());
        ConvNeXtConfig inFile = ConvNeXtWeights.inferConfig(selected.tensors());
        ConvNeXtConfig base = ConvNeXtVariants.get(variant);
        if (!base.depths().equals(inFile.depths()) || !base.dims().equals(inFile.dims())) {
            throw new IllegalArgumentException(weights + ": holds depths " + inFile.depths() + " dims " + inFile.dims()
                    + ", but " + variant + " has depths " + base.depths() + " dims " + base.dims());
        }
        if (base.grn() != inFile.grn()) {
            throw new IllegalArgumentException(weights + ": holds ConvNeXt " + (inFile.grn() ? "V2 (GRN)" : "V1") + " weights, but "
                    + variant + " is ConvNeXt " + (base.grn() ? "V2" : "V1") + "; use a " + (inFile.grn() ? "convnextv2_*" : "convnext_*")
                    + " variant");
        }
        int classes = numClasses == null ? inFile.numClasses() : numClasses;
        ConvNeXtConfig config = base.withNumClasses(classes).withLayerScaleInit(inFile.hasLayerScale() ? base.layerScaleInit() : 0);
        ModelInfo info = new ModelInfo(variant, config, imageSize, classNames == null ? ModelInfo.indexNames(classes) : classNames);
        // No optimizer: imported weights are run or exported; training builds its own network from a recipe.
        ComputationGraph graph = ConvNeXtGraph.create(config, imageSize, 0, DataType.FLOAT, new NoOp());
        boolean newHead = classes != inFile.numClasses();
        ConvNeXtWeights.load(graph, config, selected.tensors(), newHead);
        return new ImportedWeights(graph, info, naming, selected.description(), newHead);
    }
}
