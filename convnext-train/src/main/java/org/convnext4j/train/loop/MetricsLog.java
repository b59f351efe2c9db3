package org.convnext4j.train.loop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * In the run's output folder: {@code metrics.jsonl} (one JSON object per epoch, appended),
 * {@code steps.jsonl} (running loss, learning rate, images per second and the data-wait share every
 * {@code log_every} batches) and
 * {@code curves.png} (loss, accuracy and learning rate over the epochs, redrawn after each epoch).
 */
final class MetricsLog {

    /** The per-epoch metrics file, whose presence marks a folder as a run's. */
    static final String FILE = "metrics.jsonl";

    private static final Logger LOG = LoggerFactory.getLogger(MetricsLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path jsonl;
    private final Path steps;
    private final Path chart;

    MetricsLog(Path outputDir) {
        this.jsonl = outputDir.resolve(FILE);
        this.steps = outputDir.resolve("steps.jsonl");
        this.chart = outputDir.resolve("curves.png");
    }

    void appendStep(int epoch, int batch, long step, double runningLoss, double lr, double imagesPerSecond, double dataWait)
            throws IOException {
        ObjectNode line = JSON.createObjectNode();
        line.put("epoch", epoch).put("batch", batch).put("step", step);
        JsonNumbers.put(line, "train_loss", runningLoss);
        JsonNumbers.put(line, "lr", lr);
        JsonNumbers.put(line, "images_per_second", imagesPerSecond);
        JsonNumbers.put(line, "data_wait", dataWait);
        Files.writeString(steps, JSON.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    void append(int epoch, long step, double trainLoss, double lr, double imagesPerSecond, double seconds,
                SplitEvaluation val, SplitEvaluation ema) throws IOException {
        ObjectNode line = JSON.createObjectNode();
        line.put("epoch", epoch).put("step", step);
        JsonNumbers.put(line, "train_loss", trainLoss);
        JsonNumbers.put(line, "lr", lr);
        JsonNumbers.put(line, "images_per_second", imagesPerSecond);
        JsonNumbers.put(line, "epoch_seconds", seconds);
        JsonNumbers.put(line, "val_top1", val.top1());
        JsonNumbers.put(line, "val_top5", val.top5());
        JsonNumbers.put(line, "val_loss", val.loss());
        if (ema != null) {
            JsonNumbers.put(line, "ema_top1", ema.top1());
            JsonNumbers.put(line, "ema_top5", ema.top5());
            JsonNumbers.put(line, "ema_loss", ema.loss());
        }
        line.set("val", val.toJson());
        Files.writeString(jsonl, JSON.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        redrawChart();
    }

    /**
     * Redraws the chart from the whole file, and only warns when it cannot: AWT tells of a machine without
     * fonts or font libraries with an Error (UnsatisfiedLinkError, NoClassDefFoundError, InternalError,
     * "No fonts found"), and a chart is never worth a run.
     */
    private void redrawChart() {
        try {
            List<CurvesChart.Epoch> epochs = new ArrayList<>();
            for (String text : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
                JsonNode n = JSON.readTree(text);
                epochs.add(new CurvesChart.Epoch(n.get("epoch").asInt() + 1, JsonNumbers.read(n, "train_loss"),
                        JsonNumbers.read(n, "val_loss"), JsonNumbers.read(n, "val_top1"), JsonNumbers.read(n, "ema_top1"),
                        JsonNumbers.read(n, "lr")));
            }
            CurvesChart.write(chart, epochs);
        } catch (OutOfMemoryError | StackOverflowError e) {
            throw e;   // the JVM's trouble, not the chart's
        } catch (IOException | RuntimeException | Error e) {
            LOG.warn("could not draw {} ({}); training goes on", chart, e.toString());
        }
    }
}
