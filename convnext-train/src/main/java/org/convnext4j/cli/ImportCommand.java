package org.convnext4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.convnext4j.model.io.ModelFile;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Turn PyTorch ConvNeXt weights (.safetensors, or a .pth/.pt checkpoint; official, timm or torchvision names) into a convnext4j model.")
final class ImportCommand extends ConvNeXtCommand {

    @Option(names = "--weights", required = true, description = "a .safetensors state dict or a PyTorch .pth/.pt checkpoint")
    private Path weights;

    @Option(names = "--key", description = "the checkpoint's key holding the state dict (default: found among model, state_dict, model_ema, module)")
    private String key;

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
        List<String> names = classNames == null ? null : readClassNames(classNames);
        ImportedWeights imported = ImportedWeights.read(weights, key, variant, numClasses, names, imageSize);
        ModelFile.save(output, imported.graph(), imported.info(), false);
        System.out.printf("imported %s (%s, %s names) as %s with %d classes%s -> %s%n", weights, imported.read(),
                imported.naming().name().toLowerCase(), variant, imported.info().config().numClasses(),
                imported.newHead() ? " (new head)" : "", output);
    }

    private static List<String> readClassNames(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such class-names file");
        }
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
