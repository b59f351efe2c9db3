package org.convnext4j.cli;

import java.io.IOException;
import java.nio.file.Path;

import picocli.CommandLine.Option;

/** The options that name a trained model, shared by the commands that read one (eval, export, predict). */
final class ModelOptions {

    @Option(names = "--model", required = true, description = "a model file or a checkpoint folder (predict also takes PyTorch"
            + " weights with --variant, or an .onnx export with --engine onnxruntime)")
    Path path;

    @Option(names = "--ema", description = "a checkpoint folder's EMA weights instead of its raw ones")
    boolean ema;

    ModelSource open() throws IOException {
        return ModelSource.open(path, ema);
    }
}
