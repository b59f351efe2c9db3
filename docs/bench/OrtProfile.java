import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.ConvNeXtVariants;
import org.convnext4j.model.io.ModelInfo;
import org.convnext4j.onnx.OnnxExport;
import org.convnext4j.onnx.OnnxRuntimeModel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Where ONNX Runtime's inference step goes, per operator type and per MatMul input shape: the benchmark's
 * network (same variant, seed 0) exported to ONNX and run under ONNX Runtime's profiler with the
 * benchmark's session settings ({@code OnnxRuntimeModel.sessionOptions}, 2 intra-op threads). Run from the repository root
 * after a build:
 *
 * <pre>java -cp "convnext-train/target/convnext-train.jar:convnext-train/target/lib/*" docs/bench/OrtProfile.java \
 *     convnext_atto 64 64 150</pre>
 *
 * (variant, image size, batch, steps; the first 3 steps are left out). The profiler adds its own
 * overhead: compare shares more than milliseconds.
 */
public class OrtProfile {

    private static final int WARM_UP = 3;

    public static void main(String[] args) throws Exception {
        String variant = args[0];
        int imageSize = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        int steps = Integer.parseInt(args[3]);
        ConvNeXtConfig config = ConvNeXtVariants.get(variant);
        ComputationGraph graph = ConvNeXtGraph.create(config, imageSize, 0, DataType.FLOAT, new Adam(1e-3));
        Path folder = Files.createTempDirectory("convnext4j-ort-profile-");
        Path model = folder.resolve(variant + ".onnx");
        OnnxExport.write(model, graph, new ModelInfo(variant, config, imageSize, ModelInfo.indexNames(config.numClasses())));

        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        Path profile;
        try (OrtSession.SessionOptions options = OnnxRuntimeModel.sessionOptions(2)) {
            options.enableProfiling(folder.resolve("profile").toString());
            try (OrtSession session = environment.createSession(model.toString(), options)) {
                float[] images = new float[batch * 3 * imageSize * imageSize];
                Random random = new Random(1);
                for (int i = 0; i < images.length; i++) {
                    images[i] = (float) random.nextGaussian();
                }
                String input = session.getInputNames().iterator().next();
                try (OnnxTensor tensor = OnnxTensor.createTensor(environment, FloatBuffer.wrap(images),
                        new long[] {batch, 3, imageSize, imageSize})) {
                    for (int step = 0; step < steps + WARM_UP; step++) {
                        session.run(Map.of(input, tensor)).close();
                    }
                }
                profile = Path.of(session.endProfiling());
            }
        }
        summarise(new ObjectMapper().readTree(profile.toFile()), variant, imageSize, batch);
        Files.delete(profile);
        Files.delete(model);
        Files.delete(folder);
    }

    /** Sums the profile's kernel times per operator type and per MatMul/Conv input shape, steps after the warm-up only. */
    private static void summarise(JsonNode events, String variant, int imageSize, int batch) {
        Map<String, double[]> byType = new TreeMap<>();
        Map<String, double[]> byShape = new TreeMap<>();
        int runs = 0;
        int runsSeen = 0;
        for (JsonNode event : events) {
            String category = event.path("cat").asText();
            if (category.equals("Session") && event.path("name").asText().equals("model_run")) {
                runsSeen++;
                if (runsSeen > WARM_UP) {
                    runs++;
                }
            }
            // node events come before their run's model_run event
            if (!category.equals("Node") || !event.path("name").asText().endsWith("_kernel_time") || runsSeen < WARM_UP) {
                continue;
            }
            String type = event.path("args").path("op_name").asText();
            double micros = event.path("dur").asDouble();
            add(byType, type, micros);
            if (type.equals("MatMul") || type.equals("Conv")) {
                StringBuilder shapes = new StringBuilder(type);
                for (JsonNode shape : event.path("args").path("input_type_shape")) {
                    shapes.append(' ').append(shape.elements().next());
                }
                add(byShape, shapes.toString(), micros);
            }
        }
        System.out.printf("%s %d b%d under ONNX Runtime's profiler, %d steps after %d warm-up%n", variant, imageSize, batch, runs, WARM_UP);
        print(byType, runs);
        System.out.println("by input shape:");
        print(byShape, runs);
    }

    private static void add(Map<String, double[]> totals, String key, double micros) {
        double[] total = totals.computeIfAbsent(key, k -> new double[2]);
        total[0] += micros;
        total[1]++;
    }

    private static void print(Map<String, double[]> totals, int runs) {
        double sum = totals.values().stream().mapToDouble(total -> total[0]).sum();
        totals.entrySet().stream()
                .sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
                .forEach(entry -> System.out.printf("  %-60s %8.2f ms/step %6.1f calls/step%n", entry.getKey(),
                        entry.getValue()[0] / 1000 / runs, entry.getValue()[1] / runs));
        System.out.printf("  %-60s %8.2f ms/step%n", "total", sum / 1000 / runs);
    }
}
