import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.ConvNeXtVariants;
import org.convnext4j.model.SplitBatchInference;
import org.convnext4j.model.io.ModelInfo;
import org.convnext4j.model.kernels.HostCpu;
import org.convnext4j.onnx.OnnxExport;
import org.convnext4j.onnx.OnnxRuntimeModel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import ai.onnxruntime.OnnxTensor;

/**
 * Ours against ONNX Runtime once both are warm, in one process: our network (as {@code benchmark
 * --mode infer} runs it) and the same network exported to ONNX (as {@code benchmark --engine
 * onnxruntime} runs it, 2 intra-op threads) take turns on the same input, a block of steps each, so
 * that the drift of a shared VM (tens of percent over seconds) falls on both alike. ONNX Runtime's
 * threads spin for a while after each run, which slows whatever runs next: the first
 * {@value #SETTLING} steps of every block are left out. Separate processes, as {@code engine_pairs.sh}
 * runs them, compare the first steps; this compares the steady state. Run from the repository root after a build, with the launcher's environment:
 *
 * <pre>OMP_WAIT_POLICY=PASSIVE MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=4194304 MALLOC_TRIM_THRESHOLD_=33554432 \
 *   java -XX:+UseSerialGC -XX:MaxRAMPercentage=45 -Xms64m \
 *     -cp "convnext-train/target/convnext-train.jar:convnext-train/target/lib/*" docs/bench/AlternatingEngines.java \
 *     convnext_atto 64 64 150 20 10</pre>
 *
 * (variant, image size, batch, warm-up steps of each engine, rounds, steps per block).
 */
public class AlternatingEngines {

    private static final int SETTLING = 2;

    public static void main(String[] args) throws Exception {
        String variant = args[0];
        int imageSize = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        int warmUp = Integer.parseInt(args[3]);
        int rounds = Integer.parseInt(args[4]);
        int block = Integer.parseInt(args[5]);
        ConvNeXtConfig config = ConvNeXtVariants.get(variant);
        ComputationGraph graph = ConvNeXtGraph.create(config, imageSize, 1, DataType.FLOAT, new NoOp());
        INDArray images = Nd4j.randn(DataType.FLOAT, batch, 3, imageSize, imageSize);
        Path file = Files.createTempFile("convnext4j-alternating-", ".onnx");
        OnnxExport.write(file, graph, new ModelInfo(variant, config, imageSize, ModelInfo.indexNames(config.numClasses())));
        System.out.println("machine: " + HostCpu.current().summary());
        try (SplitBatchInference ours = SplitBatchInference.of(graph);
             OnnxRuntimeModel onnx = OnnxRuntimeModel.open(file, 2);
             OnnxTensor input = onnx.tensor(images)) {
            Files.delete(file);
            System.out.printf(Locale.ROOT, "%s %dx%d batch %d: %d warm-up steps each, then %d rounds of %d steps each (the first %d"
                    + " of each block left out); ours in %d part(s); %s%n", variant, imageSize, imageSize, batch, warmUp, rounds, block,
                    SETTLING, ours.partsFor(batch), onnx.describe());
            for (int i = 0; i < warmUp; i++) {
                ours.logits(images);
                onnx.logits(input);
            }
            double[] oursMillis = new double[rounds * (block - SETTLING)];
            double[] onnxMillis = new double[rounds * (block - SETTLING)];
            for (int round = 0; round < rounds; round++) {
                // The order alternates too, so that neither engine always follows the other.
                for (int turn = 0; turn < 2; turn++) {
                    boolean oursNow = (turn == 0) == (round % 2 == 0);
                    for (int step = 0; step < block; step++) {
                        double taken = oursNow ? millis(() -> ours.logits(images)) : millis(() -> onnx.logits(input));
                        if (step >= SETTLING) {
                            (oursNow ? oursMillis : onnxMillis)[round * (block - SETTLING) + step - SETTLING] = taken;
                        }
                    }
                }
            }
            double oursMedian = median(oursMillis);
            double onnxMedian = median(onnxMillis);
            System.out.printf(Locale.ROOT, "ours %.1f ms/step (%.0f img/s), ONNX Runtime %.1f ms/step (%.0f img/s): ours / ONNX Runtime %.2fx%n",
                    oursMedian, batch * 1000 / oursMedian, onnxMedian, batch * 1000 / onnxMedian, onnxMedian / oursMedian);
            // Throughput is the mean: our steps have a tail (collections, HotSpot still compiling) that the median hides.
            double oursMean = Arrays.stream(oursMillis).average().orElseThrow();
            double onnxMean = Arrays.stream(onnxMillis).average().orElseThrow();
            System.out.printf(Locale.ROOT, "means: ours %.1f ms/step (%.0f img/s), ONNX Runtime %.1f ms/step (%.0f img/s): ours / ONNX Runtime %.2fx%n",
                    oursMean, batch * 1000 / oursMean, onnxMean, batch * 1000 / onnxMean, onnxMean / oursMean);
        }
    }

    private static double millis(Runnable step) {
        long start = System.nanoTime();
        step.run();
        return (System.nanoTime() - start) / 1e6;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
