package org.convnext4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.convnext4j.model.io.ModelFile;
import org.convnext4j.model.weights.ConvNeXtWeights;
import org.convnext4j.model.weights.SafeTensors;
import org.convnext4j.model.weights.WeightNaming;
import org.convnext4j.onnx.OnnxExport;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a model for deployment (onnx, dl4j) or its weights for PyTorch (safetensors, official/timm/torchvision names).")
final class ExportCommand extends ConvNeXtCommand {

    enum Format { dl4j, safetensors, onnx }

    enum Names { official, timm, torchvision }

    @Mixin
    private ModelOptions model;

    @Option(names = "--format", defaultValue = "safetensors", description = "safetensors, onnx (opset 17, dynamic batch) or dl4j (default ${DEFAULT-VALUE})")
    private Format format;

    @Option(names = "--names", defaultValue = "official", description = "official, timm or torchvision (default ${DEFAULT-VALUE})")
    private Names names;

    @Option(names = "--output", required = true, description = "file to write")
    private Path output;

    @Override
    protected void execute() throws IOException {
        ModelSource loaded = model.open();
        if (format == Format.dl4j) {
            // without the optimiser state: what deployment needs
            ModelFile.save(output, loaded.graph(), loaded.info(), false);
        } else if (format == Format.onnx) {
            OnnxExport.write(output, loaded.graph(), loaded.info());
        } else {
            WeightNaming naming = WeightNaming.valueOf(names.name().toUpperCase());
            SafeTensors.write(output, ConvNeXtWeights.export(loaded.graph(), loaded.info().config(), naming),
                    Map.of("format", "pt"));
        }
        System.out.println("exported " + model.path + " -> " + output);
    }
}
