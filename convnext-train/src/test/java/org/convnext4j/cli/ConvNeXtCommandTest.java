package org.convnext4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.convnext4j.model.kernels.KernelChoice;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4jBackend;

class ConvNeXtCommandTest {

    /** A command whose work fails the way its first ND4J call does when no backend loads. */
    private static final class Failing extends ConvNeXtCommand {
        private final Error failure;

        Failing(Error failure) {
            this.failure = failure;
        }

        @Override
        protected void execute() {
            throw failure;
        }
    }

    @Test
    void aMachineWithoutAUsableBackendGetsOneLine() {
        Error failure = new ExceptionInInitializerError(
                new RuntimeException(new Nd4jBackend.NoAvailableBackendException("Please ensure that you have an nd4j backend")));
        CliRun run = CliRun.capture(() -> new Failing(failure).call());

        assertEquals(ConvNeXtCommand.NO_BACKEND, run.exitCode());
        assertEquals("error: " + ConvNeXtCommand.NO_BACKEND_MESSAGE + System.lineSeparator(), run.errors());
    }

    /** The first log line of every command names the ND4J backend and the kernels this process runs. */
    @Test
    void theFirstLogLineNamesTheBackendAndTheKernels() {
        CliRun run = CliRun.of("inspect", "--variant", "convnext_test");

        assertEquals(ConvNeXtCommand.OK, run.exitCode(), run.err());
        String first = run.err().lines().findFirst().orElseThrow();
        String setting = System.getenv(KernelChoice.VARIABLE) == null ? "auto, unset" : System.getenv(KernelChoice.VARIABLE);
        String depthwise = KernelChoice.active() instanceof org.convnext4j.model.kernels.java.JavaKernels java
                ? "; " + org.convnext4j.model.kernels.java.KernelThreads.describe()
                        + "; " + java.describeChoices()
                : "";
        assertTrue(first.endsWith("ND4J backend " + KernelChoice.backend().describe() + ", kernels "
                + KernelChoice.active().name() + " (CONVNEXT_KERNELS=" + setting + depthwise + ")"), first);
    }

    @Test
    void otherInitialiserFailuresAreNotDisguised() {
        Error failure = new ExceptionInInitializerError(new IllegalStateException("something else"));

        assertSame(failure, assertThrows(ExceptionInInitializerError.class, () -> new Failing(failure).call()));
    }
}
