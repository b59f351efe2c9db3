package org.convnext4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;

import java.nio.file.Path;

import org.convnext4j.train.loop.RunLog;
import org.convnext4j.train.loop.Trainer;
import org.nd4j.linalg.factory.Nd4jBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base of every subcommand: runs it and turns failures into exit codes. A failure the user can fix
 * (bad option value, missing or malformed file) prints one line, as does a machine on which no
 * ND4J backend loads; anything else is logged with its stack trace and reported as an internal error.
 */
abstract class ConvNeXtCommand implements Callable<Integer> {

    static final int OK = 0;
    static final int INTERNAL_ERROR = 1;
    static final int INVALID_INPUT = 2;
    static final int TRAINING_DIVERGED = 3;
    static final int NO_BACKEND = 4;

    static final String NO_BACKEND_MESSAGE = "no ND4J backend loads on this machine (the warning above says why);"
            + " a build with -Pcuda needs an NVIDIA driver and CUDA 11.6, plain `mvn package` builds for the CPU";

    private static final Logger LOG = LoggerFactory.getLogger(ConvNeXtCommand.class);

    /** The command's work; throws {@link IllegalArgumentException} or {@link IOException} for the user's mistakes. */
    protected abstract void execute() throws IOException;

    /**
     * The folder whose {@code train.log} receives this command's log from its first line on, or null
     * for none; called before {@link #execute}.
     */
    protected Path logFolder() throws IOException {
        return null;
    }

    @Override
    public final Integer call() {
        try {
            Path folder = logFolder();
            try (RunLog ignored = folder == null ? null : RunLog.to(folder)) {
                LOG.info(RuntimeReport.line());
                execute();
            }
            return OK;
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("error: " + e.getMessage());
            return INVALID_INPUT;
        } catch (Trainer.NonFiniteLossException e) {
            System.err.println("error: " + e.getMessage());
            return TRAINING_DIVERGED;
        } catch (UncheckedIOException e) {
            System.err.println("error: " + e.getCause().getMessage());
            return INVALID_INPUT;
        } catch (RuntimeException e) {
            LOG.error("internal error", e);
            System.err.println("internal error: " + e);
            return INTERNAL_ERROR;
        } catch (ExceptionInInitializerError e) {
            // ND4J picks its backend when a command first touches it; a CUDA build on a machine
            // without the driver fails there, inside a class initialiser.
            if (!causedByMissingBackend(e)) {
                throw e;
            }
            System.err.println("error: " + NO_BACKEND_MESSAGE);
            return NO_BACKEND;
        }
    }

    private static boolean causedByMissingBackend(Throwable thrown) {
        for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
            if (cause instanceof Nd4jBackend.NoAvailableBackendException) {
                return true;
            }
        }
        return false;
    }
}
