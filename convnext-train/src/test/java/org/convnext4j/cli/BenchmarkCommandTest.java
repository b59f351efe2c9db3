package org.convnext4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BenchmarkCommandTest {

    private static final String PHASE = "%-17s median +[0-9.]+ ms/step \\(min [0-9.]+, max [0-9.]+\\) +[0-9.]+ img/s";

    @Test
    void trainModeReportsForwardBackwardUpdateAndTheWholeStep() {
        CliRun run = CliRun.of("benchmark", "--variant", "convnext_test", "--image-size", "32", "--batch", "2",
                "--mode", "train", "--warmup", "1", "--steps", "2");

        assertEquals(0, run.exitCode(), run.err());
        for (String phase : new String[] {"forward", "backward", "update", "train step"}) {
            assertTrue(run.out().matches("(?s).*\n" + String.format(PHASE, phase) + "\n.*"), phase + " missing in:\n" + run.out());
        }
        assertTrue(run.out().matches("(?s).*peak RSS [0-9.]+ GiB.*"), run.out());
    }

    @Test
    void inferModeReportsTheForwardPass() {
        CliRun run = CliRun.of("benchmark", "--variant", "convnext_test", "--image-size", "32", "--batch", "2",
                "--mode", "infer", "--warmup", "0", "--steps", "1");

        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().matches("(?s).*\n" + String.format(PHASE, "forward") + "\n.*"), run.out());
        assertTrue(!run.out().contains("backward"), run.out());
    }

    @Test
    void aBatchOfZeroIsAOneLineError() {
        CliRun run = CliRun.of("benchmark", "--variant", "convnext_test", "--batch", "0");

        assertEquals(ConvNeXtCommand.INVALID_INPUT, run.exitCode(), run.out());
        assertEquals("--batch and --steps must be >= 1 and --warmup >= 0", run.errors().strip().replaceFirst("^.*?: ", ""));
    }
}
