package org.convnext4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.convnext4j.model.io.ModelInfo;
import org.convnext4j.onnx.OnnxExport;
import org.convnext4j.onnx.OnnxRuntimeModel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import ai.onnxruntime.OnnxTensor;

/**
 * {@code benchmark --engine onnxruntime}: the benchmark's own network, exported by {@link OnnxExport} and run in
 * ONNX Runtime on the benchmark's own input, one forward pass per step, so that its lines compare with the dl4j
 * engine's line by line. The input tensor is made once, as the dl4j benchmark passes the same array every step.
 */
final class OnnxRuntimeBenchmark implements AutoCloseable {

    private final OnnxRuntimeModel model;
    private final OnnxTensor input;

    private OnnxRuntimeBenchmark(OnnxRuntimeModel model, OnnxTensor input) {
        this.model = model;
        this.input = input;
    }

    /** Exports {@code graph} to a temporary file, opens it with {@code threads} intra-op threads and deletes the file. */
    static OnnxRuntimeBenchmark export(ComputationGraph graph, ModelInfo info, INDArray images, int threads) throws IOException {
        Path file = Files.createTempFile("convnext4j-benchmark-", ".onnx");
        try {
            OnnxExport.write(file, graph, info);
            OnnxRuntimeModel model = OnnxRuntimeModel.open(file, threads);
            try {
                return new OnnxRuntimeBenchmark(model, model.tensor(images));
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
        } finally {
            // the session holds the whole model in memory once created
            Files.deleteIfExists(file);
        }
    }

    /** The engine, its version and its settings. */
    String describe() {
        return model.describe();
    }

    /** One timed step: the logits of the whole batch. */
    void step() {
        model.logits(input);
    }

    @Override
    public void close() {
        input.close();
        model.close();
    }
}
