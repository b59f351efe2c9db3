package org.convnext4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
        assertEquals("error: " + ConvNeXtCommand.NO_BACKEND_MESSAGE + System.lineSeparator(), run.err());
    }

    @Test
    void otherInitialiserFailuresAreNotDisguised() {
        Error failure = new ExceptionInInitializerError(new IllegalStateException("something else"));

        assertSame(failure, assertThrows(ExceptionInInitializerError.class, () -> new Failing(failure).call()));
    }
}
