package org.convnext4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = "Time inference or training steps of a variant on random data: images/s, ms per step, peak RSS.")
final class BenchmarkCommand extends ConvNeXtCommand {

    enum Mode { train, infer }

    @Mixin
    private VariantOptions model;

    @Option(names = "--batch", defaultValue = "8", description = "images per step (default ${DEFAULT-VALUE})")
    private int batch;

    @Option(names = "--mode", defaultValue = "infer", description = "train or infer (default ${DEFAULT-VALUE})")
    private Mode mode;

    @Option(names = "--warmup", defaultValue = "3", description = "untimed steps first (default ${DEFAULT-VALUE})")
    private int warmup;

    @Option(names = "--steps", defaultValue = "10", description = "timed steps (default ${DEFAULT-VALUE})")
    private int steps;


    @Override
    protected void execute() throws IOException {
        if (batch < 1 || steps < 1 || warmup < 0) {
            throw new IllegalArgumentException("--batch and --steps must be >= 1 and --warmup >= 0");
        }
        ConvNeXtConfig config = model.config().withDropPathRate(mode == Mode.train ? 0.1 : 0.0);
        int imageSize = model.imageSize;
        int numClasses = config.numClasses();
        ComputationGraph graph = new ComputationGraph(ConvNeXtGraph.configuration(config, imageSize, 1, DataType.FLOAT, new Adam(1e-4)));
        graph.init();
        INDArray images = Nd4j.randn(DataType.FLOAT, batch, 3, imageSize, imageSize);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, batch, numClasses);
        for (int i = 0; i < batch; i++) {
            labels.putScalar(i, i % numClasses, 1.0);
        }
        DataSet data = new DataSet(images, labels);

        System.out.printf(Locale.ROOT, "%s %dx%d batch %d, mode %s, %d warm-up + %d timed steps, %d cores visible%s%n",
                model.variant, imageSize, imageSize, batch, mode, warmup, steps, Runtime.getRuntime().availableProcessors(),
                System.getenv("OMP_NUM_THREADS") == null ? "" : ", OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS"));
        if (mode == Mode.infer) {
            report("forward", time(() -> graph.outputSingle(false, images)));
        } else {
            report("forward", time(() -> graph.feedForward(images, true)));
            report("forward+backward", time(() -> {
                graph.setInputs(images);
                graph.setLabels(labels);
                graph.computeGradientAndScore();
            }));
            report("train step", time(() -> graph.fit(data)));
        }
        System.out.printf(Locale.ROOT, "peak RSS %.2f GiB%n", peakRssBytes() / (double) (1L << 30));
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
        System.out.printf(Locale.ROOT, "%-17s median %8.1f ms/step (min %.1f, max %.1f)  %8.2f img/s%n",
                what, median, sorted[0], sorted[sorted.length - 1], batch * 1000.0 / median);
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
