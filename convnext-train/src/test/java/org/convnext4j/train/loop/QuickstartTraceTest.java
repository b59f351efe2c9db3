package org.convnext4j.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.convnext4j.model.kernels.KernelChoice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first 30 steps of the quickstart recipe give, with this process's kernels and backend, the
 * losses recorded with the Java kernels on the CPU, to 1e-4 relative per step. The build runs it
 * with both kernel implementations; {@code scripts/gpu-check.sh} runs it on a GPU.
 */
class QuickstartTraceTest {

    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    @Test
    void lossesFollowTheRecordedTrace() throws IOException {
        List<Double> expected = recorded();
        assertEquals(QuickstartTrace.STEPS, expected.size());
        List<Double> actual = QuickstartTrace.record(dir, QuickstartTrace.STEPS);
        assertEquals(expected.size(), actual.size());
        double worst = 0;
        for (int i = 0; i < expected.size(); i++) {
            worst = Math.max(worst, Math.abs(actual.get(i) - expected.get(i)) / Math.abs(expected.get(i)));
        }
        assertTrue(worst <= TOLERANCE, "kernels " + KernelChoice.active().name() + " on " + KernelChoice.backend().describe()
                + ": worst relative difference " + worst + "\nexpected " + expected + "\nactual   " + actual);
    }

    private static List<Double> recorded() throws IOException {
        try (InputStream in = QuickstartTraceTest.class.getResourceAsStream("/quickstart-trace/losses.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(Double::parseDouble).toList();
        }
    }
}
