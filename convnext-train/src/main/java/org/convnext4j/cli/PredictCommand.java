package org.convnext4j.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

import org.convnext4j.data.EvalTransform;
import org.convnext4j.data.ImageDecoder;
import org.convnext4j.model.weights.WeightFiles;
import org.convnext4j.onnx.OnnxRuntimeModel;
import org.convnext4j.train.loop.JsonNumbers;
import org.nd4j.linalg.factory.Nd4j;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify the images in a folder with a model (ours, or PyTorch weights (.safetensors, .pth, .pt) with"
                + " --variant): top-k classes per image as JSON lines.")
final class PredictCommand extends ConvNeXtCommand {

    private static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    private ModelOptions model;

    @Option(names = "--engine", defaultValue = "dl4j",
            description = "dl4j (our network) or onnxruntime (an ONNX export in ONNX Runtime) (default ${DEFAULT-VALUE})")
    private InferenceEngine engine;

    @Option(names = "--images", required = true, description = "folder of images (not recursive)")
    private Path images;

    @Option(names = "--variant", description = "for PyTorch weights: the architecture they belong to, e.g. convnext_tiny")
    private String variant;

    @Option(names = "--key", description = "for a PyTorch checkpoint: the key holding the state dict (default: found)")
    private String key;

    @Option(names = "--image-size", defaultValue = "224", description = "for PyTorch weights: the input size (default ${DEFAULT-VALUE})")
    private int imageSize;

    @Option(names = "--crop-pct", description = "resize the shorter side to size/crop_pct, then center-crop"
            + " (default: the model's, from its recipe or model file; else " + EvalTransform.DEFAULT_CROP_PCT + ")")
    private Double cropPct;

    @Option(names = "--topk", defaultValue = "5", description = "classes per image (default ${DEFAULT-VALUE})")
    private int topK;

    @Mixin
    private BatchOptions batch = new BatchOptions(16);

    @Option(names = "--output", description = "write the JSON lines here instead of standard output")
    private Path output;

    @Option(names = "--save-logits", description = "also write the raw logits as a float32 .npy, rows in file-name order")
    private Path saveLogits;

    @Mixin
    private ProgressOptions progressOptions;

    @Override
    protected void execute() throws IOException {
        if (topK < 1) {
            throw new IllegalArgumentException("--topk must be >= 1, got " + topK);
        }
        int batchSize = batch.size();
        List<Path> files = listImages(images);
        // Closed on every path, a bad --crop-pct included: the dl4j engine holds threads, ONNX Runtime a session.
        try (ImageClassifier classifier = classifier()) {
            EvalTransform transform = new EvalTransform(classifier.imageSize(),
                    EvalCrop.logged(cropPct, model.path, classifier.evalCropPct()));
            List<String> classNames = classifier.classNames();
            int k = Math.min(topK, classNames.size());

            float[][] allLogits = new float[files.size()][];
            int predicted = 0;
            ImageProgress progress = progressOptions.start("predicted", files.size());
            try (PrintStream out = output == null ? null
                    : new PrintStream(Files.newOutputStream(output), false, StandardCharsets.UTF_8)) {
                PrintStream sink = out == null ? System.out : out;
                for (int start = 0; start < files.size(); start += batchSize) {
                    List<Path> chunk = files.subList(start, Math.min(files.size(), start + batchSize));
                    List<BufferedImage> decoded = new ArrayList<>(chunk.size());
                    List<Integer> readable = new ArrayList<>(chunk.size());
                    ObjectNode[] records = new ObjectNode[chunk.size()];   // in file order, whatever could be read
                    for (int i = 0; i < chunk.size(); i++) {
                        try {
                            decoded.add(ImageDecoder.readRgb(chunk.get(i)));
                            readable.add(i);
                        } catch (IOException unreadable) {
                            // one line for the user, and a record in the output where there is a file of records
                            System.err.println("skipped: " + unreadable.getMessage());
                            records[i] = JSON.createObjectNode().put("file", chunk.get(i).getFileName().toString())
                                    .put("error", unreadable.getMessage());
                        }
                    }
                    if (!decoded.isEmpty()) {
                        float[][] logits = classifier.logits(transform.toBatch(decoded));
                        for (int row = 0; row < readable.size(); row++) {
                            int i = readable.get(row);
                            allLogits[start + i] = logits[row];
                            records[i] = prediction(chunk.get(i), allLogits[start + i], classNames, k);
                        }
                    }
                    for (ObjectNode record : records) {
                        if (out != null || !record.has("error")) {
                            sink.println(JSON.writeValueAsString(record));
                        }
                    }
                    predicted += readable.size();
                    progress.add(readable.size());
                }
            }
            if (predicted == 0) {
                throw new IOException(images + ": none of the " + files.size() + " images could be read (see the lines above)");
            }
            if (saveLogits != null) {
                writeNpy(saveLogits, withNaNRows(allLogits, classNames.size()));
            }
        }
    }

    /** The logits in file order, a row of NaN for each file that could not be read, so rows still match the files. */
    private static float[][] withNaNRows(float[][] logits, int classes) {
        float[] missing = new float[classes];
        Arrays.fill(missing, Float.NaN);
        float[][] rows = new float[logits.length][];
        for (int i = 0; i < logits.length; i++) {
            rows[i] = logits[i] == null ? missing : logits[i];
        }
        return rows;
    }

    /**
     * A float32 .npy that {@code numpy.load} reads, written whole or not at all. The matrix is a fresh one:
     * {@code writeAsNumpy} writes an array's buffer as it lies, which for a view is not the view's values.
     */
    private static void writeNpy(Path file, float[][] rows) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Nd4j.writeAsNumpy(Nd4j.create(rows), temp.toFile());
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The model on the engine asked for. ONNX Runtime runs only our ONNX exports (their metadata gives the size, crop
     * and class names); the dl4j engine everything else. A file meant for the other engine is one line saying so.
     */
    private ImageClassifier classifier() throws IOException {
        boolean onnxFile = !Files.isDirectory(model.path) && model.path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
        if (engine == InferenceEngine.dl4j) {
            if (onnxFile) {
                throw new IllegalArgumentException(model.path + ": an ONNX model; run it with --engine onnxruntime"
                        + " (the dl4j engine takes a model file, a checkpoint folder or PyTorch weights)");
            }
            return new ImageClassifier.Dl4j(open());
        }
        if (!onnxFile) {
            throw new IllegalArgumentException(model.path + ": --engine onnxruntime runs an .onnx file written by `convnext export"
                    + " --format onnx`; a model file, a checkpoint folder or PyTorch weights run with --engine dl4j");
        }
        if (variant != null || key != null || model.ema) {
            throw new IllegalArgumentException("--variant, --key and --ema are for the dl4j engine; "
                    + model.path + " records its model in its metadata");
        }
        return new ImageClassifier.OnnxRuntime(OnnxRuntimeModel.open(model.path, InferenceEngine.onnxRuntimeThreads()));
    }

    /** Our model (file or checkpoint), or a network built from PyTorch weights for {@code --variant}. */
    private ModelSource open() throws IOException {
        if (!WeightFiles.isWeightFile(model.path)) {
            return model.open();
        }
        if (model.ema) {
            throw new IllegalArgumentException("--ema needs a checkpoint folder, got the PyTorch weights " + model.path);
        }
        if (variant == null) {
            throw new IllegalArgumentException(model.path + ": PyTorch weights need --variant (the architecture, e.g. convnext_tiny)");
        }
        ImportedWeights imported = ImportedWeights.read(model.path, key, variant, null, null, imageSize);
        System.err.println("read " + model.path + ": " + imported.read() + ", " + imported.naming().name().toLowerCase() + " names");
        return new ModelSource(imported.graph(), imported.info());
    }

    static List<Path> listImages(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IOException(folder + ": not a folder of images");
        }
        List<Path> files;
        try (Stream<Path> entries = Files.list(folder)) {
            files = entries.filter(Files::isRegularFile)
                    .filter(p -> IMAGE_EXTENSIONS.contains(extension(p)))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        }
        if (files.isEmpty()) {
            throw new IOException(folder + ": no images (expected files ending in " + IMAGE_EXTENSIONS + ")");
        }
        return files;
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static ObjectNode prediction(Path file, float[] logits, List<String> classNames, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double[] probs = new double[logits.length];
        double sum = 0;
        for (int c = 0; c < logits.length; c++) {
            probs[c] = Math.exp(logits[c] - max);
            sum += probs[c];
        }
        List<Integer> order = new ArrayList<>();
        for (int c = 0; c < logits.length; c++) {
            order.add(c);
        }
        order.sort(Comparator.comparingDouble((Integer c) -> -probs[c]).thenComparingInt(c -> c));
        ObjectNode node = JSON.createObjectNode();
        node.put("file", file.getFileName().toString());
        ArrayNode top = node.putArray("top");
        for (int c : order.subList(0, k)) {
            JsonNumbers.put(top.addObject().put("class", classNames.get(c)).put("index", c), "prob", probs[c] / sum);
        }
        return node;
    }
}
