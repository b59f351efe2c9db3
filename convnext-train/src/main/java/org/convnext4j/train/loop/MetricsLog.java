package org.convnext4j.train.loop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * In the run's output folder: {@code metrics.jsonl} (one JSON object per epoch, appended),
 * {@code steps.jsonl} (running loss, learning rate, images per second and the data-wait share every
 * {@code log_every} batches) and
 * {@code curves.png} (loss, accuracy and learning rate over the epochs, redrawn after each epoch).
 */
final class MetricsLog {

    /** The per-epoch metrics file, whose presence marks a folder as a run's. */
    static final String FILE = "metrics.jsonl";

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
        line.put("epoch", epoch).put("batch", batch).put("step", step).put("train_loss", runningLoss).put("lr", lr)
                .put("images_per_second", imagesPerSecond).put("data_wait", dataWait);
        Files.writeString(steps, JSON.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    void append(int epoch, long step, double trainLoss, double lr, double imagesPerSecond, double seconds,
                Evaluation val, Evaluation ema) throws IOException {
        ObjectNode line = JSON.createObjectNode();
        line.put("epoch", epoch).put("step", step).put("train_loss", trainLoss).put("lr", lr)
                .put("images_per_second", imagesPerSecond).put("epoch_seconds", seconds);
        line.put("val_top1", val.top1()).put("val_top5", val.top5()).put("val_loss", val.loss());
        if (ema != null) {
            line.put("ema_top1", ema.top1()).put("ema_top5", ema.top5()).put("ema_loss", ema.loss());
        }
        line.set("val", val.toJson());
        Files.writeString(jsonl, JSON.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        redrawChart();
    }

    private void redrawChart() throws IOException {
        List<double[]> rows = new ArrayList<>();   // epoch, train loss, val loss, val top1, lr
        for (String text : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
            var n = JSON.readTree(text);
            rows.add(new double[] {n.get("epoch").asDouble() + 1, n.get("train_loss").asDouble(), n.get("val_loss").asDouble(),
                    n.get("val_top1").asDouble(), n.get("lr").asDouble()});
        }
        CurvesChart.write(chart, rows);
    }
}
