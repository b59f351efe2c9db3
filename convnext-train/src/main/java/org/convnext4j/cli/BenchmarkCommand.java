package org.convnext4j.cli;

import org.convnext4j.model.kernels.HostCpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.SplitBatchInference;
import org.convnext4j.model.io.ModelInfo;
import org.convnext4j.train.config.RecipeLoader;
import org.convnext4j.train.loop.GradientStep;
import org.convnext4j.train.BuildInfo;
import org.convnext4j.train.optim.OptimizerSetup;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = "Time inference or training steps (the train command's AdamW step) of a variant on random data: images/s, ms per step (forward, backward and update apart), peak RSS.")
final class BenchmarkCommand extends ConvNeXtCommand {

    enum Mode { train, infer }

    @Mixin
    private VariantOptions model;

    @Option(names = "--batch", defaultValue = "8", description = "images per step (default ${DEFAULT-VALUE})")
    private int batch;

    @Option(names = "--mode", defaultValue = "infer", description = "train or infer (default ${DEFAULT-VALUE})")
    private Mode mode;

    @Option(names = "--warmup", defaultValue = "3",
            description = "untimed steps first (default ${DEFAULT-VALUE}); small models need about 200 before HotSpot has compiled"
                    + " the per-step Java code fully")
    private int warmup;

    @Option(names = "--steps", defaultValue = "10", description = "timed steps (default ${DEFAULT-VALUE})")
    private int steps;

    @Option(names = "--engine", defaultValue = "dl4j",
            description = "dl4j (our network) or onnxruntime (its ONNX export in ONNX Runtime; --mode infer only) (default ${DEFAULT-VALUE})")
    private InferenceEngine engine;


    @Override
    protected void execute() throws IOException {
        if (batch < 1 || steps < 1 || warmup < 0) {
            throw new IllegalArgumentException("--batch and --steps must be >= 1 and --warmup >= 0");
        }
        if (engine == InferenceEngine.onnxruntime && mode == Mode.train) {
            throw new IllegalArgumentException("--engine onnxruntime times inference only (--mode infer): ONNX Runtime for Java does not train");
        }
        ConvNeXtConfig config = model.config().withDropPathRate(mode == Mode.train ? 0.1 : 0.0);
        int imageSize = model.imageSize;
        int numClasses = config.numClasses();
        // The training command's optimizer with a recipe's defaults: AdamW with the no-decay groups, warm-up + cosine.
        ComputationGraph graph = new ComputationGraph(ConvNeXtGraph.configuration(config, imageSize, 1, DataType.FLOAT,
                OptimizerSetup.adamW(RecipeLoader.defaultOptimizer(), RecipeLoader.defaultSchedule(), 1000, 0).perLayer(config)));
        graph.init();
        INDArray images = Nd4j.randn(DataType.FLOAT, batch, 3, imageSize, imageSize);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, batch, numClasses);
        for (int i = 0; i < batch; i++) {
            labels.putScalar(i, i % numClasses, 1.0);
        }
        DataSet data = new DataSet(images, labels);

        System.out.println("machine: " + HostCpu.current().summary() + "; " + BuildInfo.load().summary());
        System.out.printf(Locale.ROOT, "%s %dx%d batch %d, mode %s, %d warm-up + %d timed steps, %d cores visible%s%n",
                model.variant, imageSize, imageSize, batch, mode, warmup, steps, Runtime.getRuntime().availableProcessors(),
                System.getenv("OMP_NUM_THREADS") == null ? "" : ", OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS"));
        if (engine == InferenceEngine.onnxruntime) {
            // the same network (variant, seed) on the same input, exported to ONNX and timed in ONNX Runtime
            ModelInfo info = new ModelInfo(model.variant, config, imageSize, ModelInfo.indexNames(numClasses));
            try (OnnxRuntimeBenchmark onnx = OnnxRuntimeBenchmark.export(graph, info, images, InferenceEngine.onnxRuntimeThreads())) {
                System.out.println("engine onnxruntime: " + onnx.describe());
                report("forward", time(onnx::step));
            }
        } else if (mode == Mode.infer) {
            try (SplitBatchInference inference = SplitBatchInference.of(graph)) {
                System.out.println(dl4jEngine() + ", " + inference.describe(batch));
                report("forward", time(() -> inference.logits(images)));
            }
        } else {
            System.out.println(dl4jEngine());
            GradientStep step = new GradientStep(graph, null);   // its gradient array only where it is used
            PhaseTimer phases = new PhaseTimer();
            graph.setListeners(phases);
            long[] counter = {0};
            double[] steps = time(() -> {
                phases.start();
                step.accumulate(data);
                phases.backwardDone();
                step.apply(counter[0]++, 0);
                phases.updateDone();
            });
            report("forward", phases.forwardMillis());
            report("backward", phases.backwardMillis());
            report("update", phases.updateMillis());
            report("train step", steps);
        }
        System.out.printf(Locale.ROOT, "peak RSS %.2f GiB%n", peakRssBytes() / (double) (1L << 30));
    }

    /**
     * Splits timed training steps into forward, backward and update from DL4J's listener callback
     * at the end of the forward pass; only the last {@code steps} are reported.
     */
    private final class PhaseTimer extends BaseTrainingListener {
        private final List<double[]> phases = new ArrayList<>();
        private long start;
        private long forwardEnd;
        private long backwardEnd;

        void start() {
            start = System.nanoTime();
        }

        @Override
        public void onForwardPass(Model model, Map<String, INDArray> activations) {
            forwardEnd = System.nanoTime();
        }

        void backwardDone() {
            backwardEnd = System.nanoTime();
        }

        void updateDone() {
            long end = System.nanoTime();
            phases.add(new double[] {(forwardEnd - start) / 1e6, (backwardEnd - forwardEnd) / 1e6, (end - backwardEnd) / 1e6});
        }

        double[] forwardMillis() {
            return column(0);
        }

        double[] backwardMillis() {
            return column(1);
        }

        double[] updateMillis() {
            return column(2);
        }

        private double[] column(int index) {
            return phases.subList(phases.size() - steps, phases.size()).stream().mapToDouble(p -> p[index]).toArray();
        }
    }

    private static String dl4jEngine() {
        return "engine dl4j: " + RuntimeReport.runtime() + ", ND4J threads " + Nd4j.getEnvironment().maxThreads();
    }

    private double[] time(Runnable step) {
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        double[] millis = new double[steps];
        for (int i = 0; i < steps; i++) {
            long start = System.nanoTime();
            step.run();
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        return millis;
    }

    private void report(String what, double[] millis) {
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        // The mean counts every timed step, slow ones included: with --warmup 0 it is a cold start's throughput.
        double mean = Arrays.stream(millis).average().orElseThrow();
        System.out.printf(Locale.ROOT, "%-17s median %8.1f ms/step (mean %.1f, min %.1f, max %.1f)  %8.2f img/s%n",
                what, median, mean, sorted[0], sorted[sorted.length - 1], batch * 1000.0 / median);
    }

    /** The process's peak resident set (Java heap and ND4J's off-heap memory alike), from /proc on Linux. */
    static long peakRssBytes() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
