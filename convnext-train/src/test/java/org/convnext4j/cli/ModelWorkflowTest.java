package org.convnext4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.convnext4j.data.EvalTransform;
import org.convnext4j.data.ImageDecoder;
import org.convnext4j.deploy.ServeOnnx;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.io.ModelFile;
import org.convnext4j.model.weights.SafeTensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * import → predict → export through the command line, on the PyTorch fixture weights and real
 * photos, against PyTorch's own predictions (predict-fixtures/generate_predict_fixtures.py).
 */
class ModelWorkflowTest {

    private static final Path FIXTURES = Path.of("../convnext-model/src/test/resources/fixtures");
    private static final Path PHOTOS = Path.of("../convnext-data/src/test/resources/photos");
    private static final Path PTH_FIXTURES = Path.of("../convnext-model/src/test/resources/pth-fixtures");
    private static final Path PREDICT_FIXTURES = Path.of("src/test/resources/predict-fixtures");
    private static final List<String> PHOTO_ORDER = List.of("camera-gray.jpg", "cat-landscape.jpg", "rocket-portrait.jpg");

    @TempDir
    static Path dir;
    private static Path model;

    @BeforeAll
    static void importFixtureWeights() {
        model = dir.resolve("test-model.zip");
        CliRun run = CliRun.of("import", "--weights", FIXTURES.resolve("convnext_test_torchvision.safetensors").toString(),
                "--variant", "convnext_test", "--image-size", "64", "--output", model.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("torchvision names"), run.out());
    }

    @Test
    void predictionsOnRealPhotosMatchPyTorch() throws IOException {
        for (String crop : List.of("0.875", "1.0")) {
            Path logitsFile = dir.resolve("logits-" + crop + ".npy");
            Path predictions = dir.resolve("preds-" + crop + ".jsonl");
            CliRun run = CliRun.of("predict", "--model", model.toString(), "--images", PHOTOS.toString(), "--crop-pct", crop,
                    "--topk", "3", "--output", predictions.toString(), "--save-logits", logitsFile.toString());
            assertEquals(0, run.exitCode(), run.err());

            double[][] ours = NpyReader.read(logitsFile);
            double[][] pytorch = NpyReader.read(PREDICT_FIXTURES.resolve("photos_logits_s64_c" + crop + ".npy"));
            assertEquals(pytorch.length, ours.length);
            List<String> lines = Files.readAllLines(predictions);
            assertEquals(PHOTO_ORDER.size(), lines.size());
            for (int i = 0; i < ours.length; i++) {
                double maxDiff = 0;
                for (int c = 0; c < ours[i].length; c++) {
                    maxDiff = Math.max(maxDiff, Math.abs(ours[i][c] - pytorch[i][c]));
                }
                assertTrue(maxDiff <= 1e-4, PHOTO_ORDER.get(i) + " at crop " + crop + ": max |logit diff| " + maxDiff);

                JsonNode line = new ObjectMapper().readTree(lines.get(i));
                assertEquals(PHOTO_ORDER.get(i), line.get("file").asText());
                JsonNode top = line.get("top");
                assertEquals(3, top.size());
                assertEquals(argmax(pytorch[i]), top.get(0).get("index").asInt(), "top-1 of " + PHOTO_ORDER.get(i));
                assertEquals(Integer.toString(argmax(pytorch[i])), top.get(0).get("class").asText());
                assertTrue(top.get(0).get("prob").asDouble() >= top.get(1).get("prob").asDouble());
                double probSum = 0;
                for (JsonNode t : top) {
                    probSum += t.get("prob").asDouble();
                }
                assertTrue(probSum > 0 && probSum <= 1 + 1e-9, "probabilities " + top);
            }
        }
    }

    /**
     * PyTorch checkpoints as people have them: the official training checkpoint (state dict under
     * 'model', with an optimizer state, args and an EMA copy) imports to the same weights as the
     * safetensors fixture, --key picks the EMA copy, predict runs the file directly with --variant, and a
     * hostile pickle is one line with nothing run.
     */
    @Test
    void pyTorchCheckpointsImportPredictAndNeverRunCode() throws IOException {
        Path checkpoint = PTH_FIXTURES.resolve("official_checkpoint.pth");
        Path imported = dir.resolve("from-pth.zip");
        CliRun run = CliRun.of("import", "--weights", checkpoint.toString(), "--variant", "convnext_test", "--image-size", "64",
                "--output", imported.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("state dict under 'model'"), run.out());
        assertEquals(ModelFile.load(model, false).graph().params(), ModelFile.load(imported, false).graph().params());

        Path ema = dir.resolve("from-pth-ema.zip");
        CliRun withKey = CliRun.of("import", "--weights", checkpoint.toString(), "--key", "model_ema", "--variant", "convnext_test",
                "--image-size", "64", "--output", ema.toString());
        assertEquals(0, withKey.exitCode(), withKey.err());
        assertTrue(withKey.out().contains("'model_ema'"), withKey.out());

        CliRun direct = CliRun.of("predict", "--model", checkpoint.toString(), "--variant", "convnext_test", "--image-size", "64",
                "--images", PHOTOS.toString());
        CliRun viaModel = CliRun.of("predict", "--model", model.toString(), "--images", PHOTOS.toString());
        assertEquals(0, direct.exitCode(), direct.err());
        assertEquals(viaModel.out(), direct.out(), "the checkpoint predicts as its imported model does");

        Path marker = Path.of("/tmp/convnext4j_pth_marker");
        Files.deleteIfExists(marker);
        assertOneLineError(CliRun.of("import", "--weights", PTH_FIXTURES.resolve("hostile_os_system.pth").toString(),
                "--variant", "convnext_test", "--output", dir.resolve("never.zip").toString()), "hostile_os_system.pth");
        assertFalse(Files.exists(marker), "nothing in the pickle ran");
    }

    /** export --format onnx writes a model ONNX Runtime serves with the model file's own logits. */
    @Test
    void exportWritesAnOnnxModel() throws Exception {
        Path onnx = dir.resolve("model.onnx");
        CliRun run = CliRun.of("export", "--model", model.toString(), "--format", "onnx", "--output", onnx.toString());
        assertEquals(0, run.exitCode(), run.err());
        ModelFile.Loaded loaded = ModelFile.load(model, false);
        INDArray images = new EvalTransform(64, 0.875).toBatch(List.of(ImageDecoder.readRgb(PHOTOS.resolve("rocket-portrait.jpg")),
                ImageDecoder.readRgb(PHOTOS.resolve("camera-gray.jpg"))));
        float[][] expected = ConvNeXtGraph.logits(loaded.graph(), images).toFloatMatrix();
        try (ServeOnnx server = new ServeOnnx(onnx)) {
            float[][] actual = server.logits(images.dup('c').reshape(images.length()).toFloatVector(), 2, 64);
            for (int i = 0; i < 2; i++) {
                for (int c = 0; c < expected[i].length; c++) {
                    assertEquals(expected[i][c], actual[i][c], 1e-4, "image " + i + " class " + c);
                }
            }
        }
    }

    @Test
    void exportWritesThePyTorchTensorsBack() throws IOException {
        for (String names : List.of("official", "timm", "torchvision")) {
            Path out = dir.resolve("export-" + names + ".safetensors");
            CliRun run = CliRun.of("export", "--model", model.toString(), "--names", names, "--output", out.toString());
            assertEquals(0, run.exitCode(), run.err());
            Map<String, INDArray> expected = SafeTensors.read(FIXTURES.resolve("convnext_test_" + names + ".safetensors"));
            Map<String, INDArray> actual = SafeTensors.read(out);
            assertEquals(expected.keySet(), actual.keySet(), names);
            expected.forEach((k, v) -> assertEquals(v, actual.get(k), names + " " + k));
        }
    }

    @Test
    void importWithAnotherClassCountGetsANewHead() throws IOException {
        Path fiveClasses = dir.resolve("five.zip");
        Path classNames = dir.resolve("classes.txt");
        Files.writeString(classNames, "ant\nbee\ncat\ndog\neel\n");
        CliRun run = CliRun.of("import", "--weights", FIXTURES.resolve("convnext_test_timm.safetensors").toString(),
                "--variant", "convnext_test", "--num-classes", "5", "--class-names", classNames.toString(),
                "--image-size", "64", "--output", fiveClasses.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("(new head)"), run.out());
        CliRun predict = CliRun.of("predict", "--model", fiveClasses.toString(), "--images", PHOTOS.toString(), "--topk", "9");
        assertEquals(0, predict.exitCode(), predict.err());
        JsonNode first = new ObjectMapper().readTree(predict.out().lines().findFirst().orElseThrow());
        assertEquals(5, first.get("top").size(), "top-k is capped at the class count");
        assertTrue(List.of("ant", "bee", "cat", "dog", "eel").contains(first.get("top").get(0).get("class").asText()));
    }

    /**
     * Unreadable images in the folder (an empty PNG, a truncated JPEG) are named on one line each and in
     * the output, and every readable one is predicted as if they were not there; the logits keep a NaN
     * row for each, so rows still follow the files.
     */
    @Test
    void unreadableImagesAreNamedAndTheRestPredicted() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("mixed"));
        for (String photo : PHOTO_ORDER) {
            Files.copy(PHOTOS.resolve(photo), folder.resolve(photo));
        }
        Files.write(folder.resolve("a-empty.png"), new byte[0]);
        byte[] jpeg = Files.readAllBytes(PHOTOS.resolve("cat-landscape.jpg"));
        Files.write(folder.resolve("d-truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 3));
        Path predictions = dir.resolve("mixed.jsonl");
        Path logits = dir.resolve("mixed.npy");
        CliRun run = CliRun.of("predict", "--model", model.toString(), "--images", folder.toString(),
                "--output", predictions.toString(), "--save-logits", logits.toString());

        assertEquals(0, run.exitCode(), run.err());
        List<String> skipped = run.errors().lines().toList();
        assertEquals(2, skipped.size(), run.err());
        assertTrue(skipped.get(0).startsWith("skipped: ") && skipped.get(0).contains("a-empty.png"), skipped.get(0));
        assertTrue(skipped.get(1).contains("d-truncated.jpg"), skipped.get(1));
        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(predictions)) {
            records.add(new ObjectMapper().readTree(line));
        }
        assertEquals(List.of("a-empty.png", "camera-gray.jpg", "cat-landscape.jpg", "d-truncated.jpg", "rocket-portrait.jpg"),
                records.stream().map(r -> r.get("file").asText()).toList());
        assertTrue(records.get(0).has("error") && records.get(3).has("error"));
        CliRun clean = CliRun.of("predict", "--model", model.toString(), "--images", PHOTOS.toString());
        List<String> expected = clean.out().lines().filter(l -> PHOTO_ORDER.stream().anyMatch(l::contains)).toList();
        assertEquals(expected, records.stream().filter(r -> !r.has("error")).map(JsonNode::toString).toList(),
                "readable images get the predictions they get alone");
        String header = NpyReader.header(logits);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (5, "), header);
        double[][] rows = NpyReader.read(logits);
        assertEquals(5, rows.length);
        assertTrue(Double.isNaN(rows[0][0]) && Double.isNaN(rows[3][0]) && !Double.isNaN(rows[1][0]));
    }

    @Test
    void badInputGivesOneLineErrors() throws IOException {
        assertOneLineError(CliRun.of("import", "--weights", FIXTURES.resolve("convnext_test_official.safetensors").toString(),
                "--variant", "convnext_atto", "--output", dir.resolve("x.zip").toString()), "convnext_atto has depths");
        assertOneLineError(CliRun.of("predict", "--model", dir.resolve("missing.zip").toString(), "--images", PHOTOS.toString()),
                "no such model file");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertOneLineError(CliRun.of("predict", "--model", model.toString(), "--images", empty.toString()), "no images");
        Path hostile = dir.resolve("hostile.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(hostile))) {
            zip.putNextEntry(new ZipEntry("preprocessor.bin"));
            zip.putNextEntry(new ZipEntry("configuration.json"));
        }
        assertOneLineError(CliRun.of("predict", "--model", hostile.toString(), "--images", PHOTOS.toString()), "unexpected entries");
        Path notZip = Files.writeString(dir.resolve("not-a-model.zip"), "hello");
        assertOneLineError(CliRun.of("export", "--model", notZip.toString(), "--output", dir.resolve("y").toString()), "not a zip");
    }

    private static void assertOneLineError(CliRun run, String expected) {
        assertEquals(ConvNeXtCommand.INVALID_INPUT, run.exitCode(), run.out() + run.err());
        assertEquals(1, run.errors().strip().lines().count(), run.err());
        assertTrue(run.err().contains(expected), run.err());
    }

    private static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
