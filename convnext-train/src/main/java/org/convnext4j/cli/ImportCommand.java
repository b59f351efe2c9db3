package org.convnext4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.ConvNeXtVariants;
import org.convnext4j.model.io.ModelFile;
import org.convnext4j.model.io.ModelInfo;
import org.convnext4j.model.weights.ConvNeXtWeights;
import org.convnext4j.model.weights.SafeTensors;
import org.convnext4j.model.weights.WeightNaming;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Turn PyTorch ConvNeXt weights (.safetensors with official, timm or torchvision names) into a convnext4j model.")
final class ImportCommand extends ConvNeXtCommand {

    @Option(names = "--weights", required = true, description = "a .safetensors state dict")
    private Path weights;

    @Option(names = "--variant", required = true, description = "the architecture the weights belong to, e.g. convnext_tiny")
    private String variant;

    @Option(names = "--num-classes", description = "a new classifier of this size replaces the file's when the sizes differ")
    private Integer numClasses;

    @Option(names = "--class-names", description = "text file with one class name per line, in index order")
    private Path classNames;

    @Option(names = "--image-size", defaultValue = "224", description = "input size the model is used at (default ${DEFAULT-VALUE})")
    private int imageSize;

    @Option(names = "--output", required = true, description = "the convnext4j model file to write")
    private Path output;

    @Override
    protected void execute() throws IOException {
        Map<String, INDArray> tensors = SafeTensors.read(weights);
        WeightNaming naming = WeightNaming.detect(WeightNaming.unwrap(tensors).keySet());
        ConvNeXtConfig inFile = ConvNeXtWeights.inferConfig(tensors);
        ConvNeXtConfig base = ConvNeXtVariants.get(variant);
        if (!base.depths().equals(inFile.depths()) || !base.dims().equals(inFile.dims())) {
            throw new IllegalArgumentException(weights + ": holds depths " + inFile.depths() + " dims " + inFile.dims()
                    + ", but " + variant + " has depths " + base.depths() + " dims " + base.dims());
        }
        int classes = numClasses == null ? inFile.numClasses() : numClasses;
        ConvNeXtConfig config = base.withNumClasses(classes)
                .withLayerScaleInit(inFile.hasLayerScale() ? base.layerScaleInit() : 0);
        List<String> names = classNames == null ? ModelInfo.indexNames(classes) : readClassNames(classNames);
        ModelInfo info = new ModelInfo(variant, config, imageSize, names);

        ComputationGraph graph = ConvNeXtGraph.create(config, imageSize, 0, DataType.FLOAT);
        ConvNeXtWeights.load(graph, config, tensors, classes != inFile.numClasses());
        ModelFile.save(output, graph, info, false);
        System.out.printf("imported %s (%s names, %d tensors) as %s with %d classes%s -> %s%n", weights, naming.name().toLowerCase(),
                tensors.size(), variant, classes, classes != inFile.numClasses() ? " (new head)" : "", output);
    }

    private static List<String> readClassNames(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such class-names file");
        }
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
