package org.convnext4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InspectCommandTest {

    @Test
    void printsTinyShapesParametersAndMacs() {
        CliRun run = CliRun.of("inspect", "--variant", "convnext_tiny");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("768x7x7"), run.out());
        assertTrue(run.out().matches("(?s).*total\\s+28,589,128\\s+4\\.456.*"), run.out());
    }

    @Test
    void unknownVariantIsAOneLineError() {
        CliRun run = CliRun.of("inspect", "--variant", "convnext_huge");
        assertEquals(ConvNeXtCommand.INVALID_INPUT, run.exitCode());
        assertEquals(1, run.errors().strip().lines().count(), run.err());
        assertTrue(run.err().contains("unknown variant 'convnext_huge'"), run.err());
    }

    @Test
    void tooSmallImageIsAOneLineError() {
        CliRun run = CliRun.of("inspect", "--variant", "convnext_atto", "--image-size", "16");
        assertEquals(ConvNeXtCommand.INVALID_INPUT, run.exitCode());
        assertTrue(run.err().contains("--image-size must be at least 32"), run.err());
    }
}
