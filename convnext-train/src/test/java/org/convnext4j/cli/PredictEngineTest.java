package org.convnext4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.ConvNeXtVariants;
import org.convnext4j.model.io.ModelFile;
import org.convnext4j.model.io.ModelInfo;
import org.convnext4j.model.weights.ConvNeXtWeights;
import org.convnext4j.model.weights.SafeTensors;
import org.convnext4j.onnx.proto.Onnx.ModelProto;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.api.ndarray.INDArray;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code predict --engine onnxruntime} on our ONNX export gives what {@code predict} gives on the model file
 * it came from: the same files, classes and order, probabilities and logits within 1e-4, at the crop the model
 * records (0.95, not the 0.875 default, so a crop lost on the way would change the logits); a model meant
 * for the other engine, or an ONNX file that is not ours, is one line naming it.
 */
class PredictEngineTest {

    private static final Path FIXTURES = Path.of("../convnext-model/src/test/resources/fixtures");
    private static final Path PHOTOS = Path.of("../convnext-data/src/test/resources/photos");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static Path modelFile;
    private static Path onnx;

    @BeforeAll
    static void exportTheFixtureModel() throws IOException {
        Map<String, INDArray> weights = SafeTensors.read(FIXTURES.resolve("convnext_test_official.safetensors"));
        ConvNeXtConfig config = ConvNeXtWeights.inferConfig(weights);
        ComputationGraph graph = ConvNeXtGraph.create(config, 64, 1, DataType.FLOAT, new NoOp());
        ConvNeXtWeights.load(graph, config, weights, false);
        List<String> names = new ArrayList<>();
        for (int c = 0; c < config.numClasses(); c++) {
            names.add("class " + (char) ('a' + c));
        }
        modelFile = dir.resolve("model.zip");
        ModelFile.save(modelFile, graph, new ModelInfo(ConvNeXtVariants.TEST, config, 64, names).withEvalCropPct(0.95), false);
        onnx = dir.resolve("model.onnx");
        CliRun export = CliRun.of("export", "--model", modelFile.toString(), "--format", "onnx", "--output", onnx.toString());
        assertEquals(0, export.exitCode(), export.err());
    }

    @Test
    void bothEnginesGiveTheSamePredictionsAndLogits() throws IOException {
        Prediction dl4j = predict("dl4j", modelFile);
        Prediction onnxRuntime = predict("onnxruntime", onnx);

        assertEquals(3, dl4j.lines().size());
        assertEquals(dl4j.lines().size(), onnxRuntime.lines().size());
        for (int i = 0; i < dl4j.lines().size(); i++) {
            JsonNode expected = JSON.readTree(dl4j.lines().get(i));
            JsonNode actual = JSON.readTree(onnxRuntime.lines().get(i));
            assertEquals(List.of("file", "top"), fieldNames(actual), "the same record form");
            assertEquals(expected.get("file"), actual.get("file"));
            assertEquals(3, actual.get("top").size());
            for (int t = 0; t < 3; t++) {
                JsonNode e = expected.get("top").get(t);
                JsonNode a = actual.get("top").get(t);
                assertEquals(e.get("class"), a.get("class"), "rank " + t + " of " + expected.get("file"));
                assertEquals(e.get("index"), a.get("index"));
                assertEquals(e.get("prob").asDouble(), a.get("prob").asDouble(), 1e-4);
            }
            assertTrue(actual.get("top").get(0).get("class").asText().startsWith("class "), "names from the ONNX metadata");
        }
        double[][] expectedLogits = NpyReader.read(dl4j.logits());
        double[][] actualLogits = NpyReader.read(onnxRuntime.logits());
        assertEquals(NpyReader.header(dl4j.logits()), NpyReader.header(onnxRuntime.logits()));
        for (int i = 0; i < expectedLogits.length; i++) {
            for (int c = 0; c < expectedLogits[i].length; c++) {
                assertEquals(expectedLogits[i][c], actualLogits[i][c], 1e-4, "image " + i + " class " + c);
            }
        }
        // the recorded crop was used by both: the default crop gives other logits
        Prediction defaultCrop = predict("onnxruntime", onnx, "--crop-pct", "0.875");
        assertTrue(Math.abs(NpyReader.read(defaultCrop.logits())[0][0] - actualLogits[0][0]) > 1e-3, "crop 0.95 and 0.875 differ");
    }

    @Test
    void aModelForTheOtherEngineIsAOneLineError() {
        assertOneLineError(CliRun.of("predict", "--model", onnx.toString(), "--images", PHOTOS.toString()),
                onnx + ": an ONNX model; run it with --engine onnxruntime");
        assertOneLineError(CliRun.of("predict", "--engine", "onnxruntime", "--model", modelFile.toString(), "--images", PHOTOS.toString()),
                modelFile + ": --engine onnxruntime runs an .onnx file");
        assertOneLineError(CliRun.of("predict", "--engine", "onnxruntime", "--model", dir.toString(), "--images", PHOTOS.toString()),
                dir + ": --engine onnxruntime runs an .onnx file");
        assertOneLineError(CliRun.of("predict", "--engine", "onnxruntime", "--model", onnx.toString(), "--variant", "convnext_test",
                "--images", PHOTOS.toString()), "--variant, --key and --ema are for the dl4j engine");
    }

    @Test
    void anOnnxFileThatIsNotOursIsAOneLineError() throws IOException {
        Path text = Files.writeString(dir.resolve("text.onnx"), "not a model");
        assertOneLineError(CliRun.of("predict", "--engine", "onnxruntime", "--model", text.toString(), "--images", PHOTOS.toString()),
                text + ": not an ONNX model that ONNX Runtime loads");
        Path bare = dir.resolve("bare.onnx");
        Files.write(bare, ModelProto.parseFrom(Files.readAllBytes(onnx)).toBuilder().clearMetadataProps().build().toByteArray());
        assertOneLineError(CliRun.of("predict", "--engine", "onnxruntime", "--model", bare.toString(), "--images", PHOTOS.toString()),
                bare + ": an ONNX model without convnext4j's metadata");
        Path missing = dir.resolve("missing.onnx");
        assertOneLineError(CliRun.of("predict", "--engine", "onnxruntime", "--model", missing.toString(), "--images", PHOTOS.toString()),
                missing + ": no such ONNX model file");
    }

    private record Prediction(List<String> lines, Path logits) {
    }

    private static Prediction predict(String engine, Path model, String... extra) throws IOException {
        Path out = dir.resolve(engine + "-" + extra.length + ".jsonl");
        Path logits = dir.resolve(engine + "-" + extra.length + ".npy");
        List<String> args = new ArrayList<>(List.of("predict", "--engine", engine, "--model", model.toString(),
                "--images", PHOTOS.toString(), "--topk", "3", "--batch", "2", "--output", out.toString(), "--save-logits", logits.toString()));
        args.addAll(List.of(extra));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        return new Prediction(Files.readAllLines(out), logits);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void assertOneLineError(CliRun run, String expected) {
        assertEquals(ConvNeXtCommand.INVALID_INPUT, run.exitCode(), run.out() + run.err());
        assertEquals(1, run.errors().strip().lines().count(), run.err());
        assertTrue(run.errors().startsWith("error: " + expected), run.errors());
    }
}
