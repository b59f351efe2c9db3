package org.convnext4j.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** metrics.jsonl comes first; curves.png is drawn from it, EMA included, and a chart that fails is one warning. */
class MetricsLogTest {

    @TempDir
    Path dir;

    @Test
    void aChartThatCannotBeWrittenOnlyWarns() throws IOException {
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(run.resolve("curves.png"));   // a folder where the chart goes
        ListAppender<ILoggingEvent> warnings = new ListAppender<>();
        warnings.start();
        Logger logger = (Logger) LoggerFactory.getLogger(MetricsLog.class);
        logger.addAppender(warnings);
        try {
            MetricsLog log = new MetricsLog(run);
            log.append(0, 2, 1.2, 1e-3, 100, 5, split(0.5), null);
            log.append(1, 4, 1.0, 5e-4, 100, 5, split(0.75), null);
        } finally {
            logger.detachAppender(warnings);
        }
        assertEquals(2, Files.readAllLines(run.resolve(MetricsLog.FILE)).size());
        assertEquals(2, warnings.list.size(), "one line per epoch");
        for (ILoggingEvent warning : warnings.list) {
            assertEquals(Level.WARN, warning.getLevel());
            assertTrue(warning.getFormattedMessage().startsWith("could not draw " + run.resolve("curves.png")),
                    warning.getFormattedMessage());
        }
    }

    @Test
    void theEmaTopOneIsDrawnWhenTheRunHasOne() throws IOException {
        Path withEma = Files.createDirectories(dir.resolve("ema"));
        Path without = Files.createDirectories(dir.resolve("plain"));
        for (int epoch = 0; epoch < 3; epoch++) {
            new MetricsLog(withEma).append(epoch, 2L * epoch, 1.0, 1e-3, 100, 5, split(0.5), split(0.6));
            new MetricsLog(without).append(epoch, 2L * epoch, 1.0, 1e-3, 100, 5, split(0.5), null);
        }
        assertTrue(CurvesChartTest.has(ImageIO.read(withEma.resolve("curves.png").toFile()), CurvesChart.EMA));
        assertFalse(CurvesChartTest.has(ImageIO.read(without.resolve("curves.png").toFile()), CurvesChart.EMA));
    }

    @Test
    void numbersThatAreNotFiniteAreWrittenAsNull() throws IOException {
        Path run = Files.createDirectories(dir.resolve("nan"));
        MetricsLog log = new MetricsLog(run);
        // a class without validation samples has no accuracy; a diverged epoch has no loss
        SplitEvaluation val = new SplitEvaluation(2, 0.5, 1.0, 0.7, new double[] {0.5, Double.NaN},
                new long[][] {{1, 1}, {0, 0}}, List.of("a", "b"));
        log.append(0, 2, Double.NaN, 1e-3, Double.POSITIVE_INFINITY, 5, val, null);
        log.appendStep(0, 1, 1, Double.NaN, 1e-3, 100, 0.1);

        JsonNode line = new ObjectMapper().readTree(Files.readString(run.resolve(MetricsLog.FILE)));
        assertTrue(line.get("train_loss").isNull(), line.toString());
        assertTrue(line.get("images_per_second").isNull(), line.toString());
        assertTrue(line.get("val").get("per_class_accuracy").get("b").isNull(), line.toString());
        assertEquals(0.5, line.get("val").get("per_class_accuracy").get("a").asDouble());
        assertEquals(0.5, line.get("val_top1").asDouble());
        assertTrue(Double.isNaN(JsonNumbers.read(line, "train_loss")));
        assertTrue(Double.isNaN(JsonNumbers.read(line, "ema_top1")), "absent");
        assertEquals(1e-3, JsonNumbers.read(line, "lr"));
        assertFalse(Files.readString(run.resolve(MetricsLog.FILE)).contains("NaN"));
        assertTrue(new ObjectMapper().readTree(Files.readString(run.resolve("steps.jsonl"))).get("train_loss").isNull());
        assertTrue(Files.size(run.resolve("curves.png")) > 0, "the chart is drawn from the line read back");
    }

    private static SplitEvaluation split(double top1) {
        return new SplitEvaluation(4, top1, 1.0, 0.7, new double[] {top1, top1}, new long[][] {{2, 0}, {0, 2}}, List.of("a", "b"));
    }
}
