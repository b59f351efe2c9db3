package org.convnext4j.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

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

    private static SplitEvaluation split(double top1) {
        return new SplitEvaluation(4, top1, 1.0, 0.7, new double[] {top1, top1}, new long[][] {{2, 0}, {0, 2}}, List.of("a", "b"));
    }
}
