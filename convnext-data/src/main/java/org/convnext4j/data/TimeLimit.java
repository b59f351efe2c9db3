package org.convnext4j.data;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs work that may never end (a decoder looping on a malformed file) on a thread of its own and
 * stops waiting for it after a time limit. Java cannot stop such a thread: it is abandoned, a
 * daemon that ends with the process, and the caller gets an {@link IOException} instead of a hang.
 */
final class TimeLimit {

    private static final AtomicInteger THREADS = new AtomicInteger();
    /** Threads made as needed, kept a minute when idle; daemons, so an abandoned one never holds the process. */
    private static final ExecutorService RUNNERS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "convnext-decode-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    private TimeLimit() {
    }

    /** The work's result; its IOException as it is; {@code what + ": took longer than …"} when it runs past {@code limit}. */
    static <T> T run(Callable<T> work, Duration limit, String what) throws IOException {
        Future<T> result = RUNNERS.submit(work);
        try {
            return result.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            result.cancel(true);
            throw new IOException(what + String.format(java.util.Locale.ROOT, ": took longer than %.1f s, given up", limit.toMillis() / 1000.0), e);
        } catch (InterruptedException e) {
            result.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException(what + ": interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IOException(what + ": " + cause, cause);
        }
    }
}
