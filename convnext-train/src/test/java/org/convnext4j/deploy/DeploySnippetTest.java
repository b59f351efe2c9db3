package org.convnext4j.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.convnext4j.data.EvalTransform;
import org.convnext4j.data.ImageDecoder;
import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.ConvNeXtVariants;
import org.convnext4j.model.io.ModelInfo;
import org.convnext4j.onnx.OnnxExport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;

/** docs/deploy.md's Java snippet serves an export and gives the network's own logits for a real photo. */
class DeploySnippetTest {

    @TempDir
    Path dir;

    @Test
    void theSnippetServesAnExport() throws Exception {
        ConvNeXtConfig config = ConvNeXtVariants.get(ConvNeXtVariants.TEST).withNumClasses(4);
        ComputationGraph graph = ConvNeXtGraph.create(config, 64, 2, DataType.FLOAT, new NoOp());
        Path model = dir.resolve("model.onnx");
        OnnxExport.write(model, graph, new ModelInfo(ConvNeXtVariants.TEST, config, 64, ModelInfo.indexNames(4)));

        INDArray images = new EvalTransform(64, 0.875).toBatch(java.util.List.of(
                ImageDecoder.readRgb(Path.of("../convnext-data/src/test/resources/photos/cat-landscape.jpg"))));
        float[][] expected = ConvNeXtGraph.logits(graph, images).toFloatMatrix();
        try (ServeOnnx server = new ServeOnnx(model)) {
            float[][] logits = server.logits(images.dup('c').reshape(images.length()).toFloatVector(), 1, 64);
            assertEquals(4, logits[0].length);
            for (int c = 0; c < 4; c++) {
                assertTrue(Math.abs(expected[0][c] - logits[0][c]) <= 1e-4, "class " + c + ": " + expected[0][c] + " vs " + logits[0][c]);
            }
        }
    }
}
