package org.convnext4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.ConvNeXtVariants;
import org.convnext4j.model.io.ModelInfo;
import org.convnext4j.model.weights.ConvNeXtWeights;
import org.convnext4j.model.weights.SafeTensors;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * The exported ONNX model, run by ONNX Runtime for Java, gives our logits within 1e-4: on the PyTorch
 * fixture weights and input, at batch sizes other than the one exported with, and for ConvNeXt-T.
 */
class OnnxExportTest {

    private static final Path FIXTURES = Path.of("../convnext-model/src/test/resources/fixtures");

    @TempDir
    Path dir;

    @Test
    void fixtureWeightsGiveOurLogitsInOnnxRuntime() throws Exception {
        Map<String, INDArray> weights = SafeTensors.read(FIXTURES.resolve("convnext_test_official.safetensors"));
        ConvNeXtConfig config = ConvNeXtWeights.inferConfig(weights);
        ComputationGraph graph = ConvNeXtGraph.create(config, 64, 1, DataType.FLOAT, new NoOp());
        ConvNeXtWeights.load(graph, config, weights, false);
        Path file = dir.resolve("test.onnx");
        OnnxExport.write(file, graph, new ModelInfo(ConvNeXtVariants.TEST, config, 64, ModelInfo.indexNames(config.numClasses())));

        INDArray input = SafeTensors.read(FIXTURES.resolve("convnext_test_io.safetensors")).get("input");
        assertSameLogits(file, graph, input);
        assertSameLogits(file, graph, input.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)).dup());   // dynamic batch
        Nd4j.getRandom().setSeed(3);
        assertSameLogits(file, graph, Nd4j.rand(DataType.FLOAT, 5, 3, 64, 64));
    }

    /** ConvNeXt V2 (GRN in every block) from the PyTorch fixture, batches of several images so GRN's per-sample statistics count. */
    @Test
    void v2FixtureWeightsGiveOurLogitsInOnnxRuntime() throws Exception {
        Path v2 = Path.of("../convnext-model/src/test/resources/v2-fixtures");
        Map<String, INDArray> weights = SafeTensors.read(v2.resolve("convnextv2_test_official.safetensors"));
        ConvNeXtConfig config = ConvNeXtWeights.inferConfig(weights);
        ComputationGraph graph = ConvNeXtGraph.create(config, 64, 1, DataType.FLOAT, new NoOp());
        ConvNeXtWeights.load(graph, config, weights, false);
        Path file = dir.resolve("v2.onnx");
        OnnxExport.write(file, graph, new ModelInfo(ConvNeXtVariants.TEST_V2, config, 64, ModelInfo.indexNames(config.numClasses())));
        INDArray input = SafeTensors.read(v2.resolve("convnextv2_test_io.safetensors")).get("input");
        assertSameLogits(file, graph, input);
        Nd4j.getRandom().setSeed(5);
        assertSameLogits(file, graph, Nd4j.rand(DataType.FLOAT, 4, 3, 64, 64));
    }

    @Test
    void convnextTinyGivesOurLogitsInOnnxRuntime() throws Exception {
        ConvNeXtConfig config = ConvNeXtVariants.get("convnext_tiny").withNumClasses(10);
        ComputationGraph graph = ConvNeXtGraph.create(config, 224, 7, DataType.FLOAT, new NoOp());
        graph.params().muli(5);   // weights far from their tiny initial scale, so every path matters
        Path file = dir.resolve("tiny.onnx");
        OnnxExport.write(file, graph, new ModelInfo("convnext_tiny", config, 224, ModelInfo.indexNames(10)));
        Nd4j.getRandom().setSeed(4);
        assertSameLogits(file, graph, Nd4j.rand(DataType.FLOAT, 2, 3, 224, 224));
    }

    private static void assertSameLogits(Path file, ComputationGraph graph, INDArray images) throws OrtException, IOException {
        float[][] expected = ConvNeXtGraph.logits(graph, images).toFloatMatrix();
        float[][] actual = run(file, images);
        double worst = 0;
        double scale = 1e-3;
        for (int i = 0; i < expected.length; i++) {
            for (int c = 0; c < expected[i].length; c++) {
                worst = Math.max(worst, Math.abs(expected[i][c] - actual[i][c]));
                scale = Math.max(scale, Math.abs(expected[i][c]));
            }
        }
        assertTrue(worst <= 1e-4 * Math.max(1, scale), "max |diff| " + worst + " for logits up to " + scale);
        assertArrayEquals(new int[] {expected.length, expected[0].length}, new int[] {actual.length, actual[0].length});
    }

    /** Runs the file in ONNX Runtime on NCHW images; returns the logits. */
    static float[][] run(Path file, INDArray images) throws OrtException {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = environment.createSession(file.toString(), options);
             OnnxTensor input = OnnxTensor.createTensor(environment, FloatBuffer.wrap(images.dup('c').reshape(images.length()).toFloatVector()), images.shape());
             OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, input))) {
            return (float[][]) result.get(0).getValue();
        }
    }
}
