package org.convnext4j.model.kernels.java;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.function.Supplier;

/**
 * The threads the Java kernels split a pass over: the calling thread and the helpers of a fork-join
 * pool of the kernels' own, {@value #VARIABLE} threads in all (unset: the processors Java sees).
 *
 * <p>Why a pool of our own: an embedder's parallel streams and our passes would otherwise queue
 * behind each other on the common pool, which neither can size for the other, and the common pool
 * erases a worker's thread locals whenever it goes idle, where ours keep their working arrays. Why a
 * fork-join pool: its idle workers wait for the next pass in the way that measured cheapest on two
 * cores beside libnd4j's OpenMP threads (see the performance journal). Its workers are daemons, so
 * the pool never keeps a JVM alive, and it is made only when there is a second thread to use.
 */
public final class KernelThreads {

    public static final String VARIABLE = "CONVNEXT_KERNEL_THREADS";

    /** More threads than this is a typo, not a machine. */
    private static final int MOST = 1024;

    private static volatile ForkJoinPool helpers;
    private static volatile int threads;
    /** Whether the passes this thread starts run on it alone, see {@link #onCallingThreadOnly}. */
    private static final ThreadLocal<Boolean> CALLING_THREAD_ONLY = ThreadLocal.withInitial(() -> false);

    private KernelThreads() {
    }

    /**
     * The threads a pass runs on, the caller included, read from {@value #VARIABLE} at the first
     * call; a bad setting fails every call alike, with an {@link IllegalArgumentException}.
     */
    public static int count() {
        int known = threads;
        if (known == 0) {
            synchronized (KernelThreads.class) {
                if (threads == 0) {
                    threads = parse(System.getenv(VARIABLE), Runtime.getRuntime().availableProcessors());
                }
                known = threads;
            }
        }
        return known;
    }

    /** For the first log line: {@code 1 kernel thread}, {@code 2 kernel threads}. */
    public static String describe() {
        return count() == 1 ? "1 kernel thread" : count() + " kernel threads";
    }

    /**
     * The thread count for a setting (a whole number from 1 to {@value #MOST}, or null or blank for
     * {@code processors}); anything else is an {@link IllegalArgumentException} naming the variable
     * and the value.
     */
    static int parse(String setting, int processors) {
        if (setting == null || setting.isBlank()) {
            return processors;
        }
        try {
            int parsed = Integer.parseInt(setting.trim());
            if (parsed >= 1 && parsed <= MOST) {
                return parsed;
            }
        } catch (NumberFormatException notANumber) {
            // Falls through to the one message for every bad setting.
        }
        throw new IllegalArgumentException(VARIABLE + " is '" + setting + "'; expected a whole number of threads from 1 to "
                + MOST + " (unset: the " + processors + " processors Java sees)");
    }

    /**
     * Runs {@code action} with every pass it starts kept on the calling thread, no helper woken: for a
     * caller that already splits its work over threads of its own, one part on each.
     */
    public static <T> T onCallingThreadOnly(Supplier<T> action) {
        boolean before = CALLING_THREAD_ONLY.get();
        CALLING_THREAD_ONLY.set(true);
        try {
            return action.get();
        } finally {
            CALLING_THREAD_ONLY.set(before);
        }
    }

    /** Whether this thread runs inside {@link #onCallingThreadOnly}: its passes on it alone. */
    static boolean callingThreadOnly() {
        return CALLING_THREAD_ONLY.get();
    }

    /** How many helpers a pass of {@code tasks} tasks started on this thread wakes: none inside {@link #onCallingThreadOnly}. */
    static int helpersFor(int tasks) {
        return CALLING_THREAD_ONLY.get() ? 0 : Math.min(tasks - 1, count() - 1);
    }

    /**
     * Throws, on the calling thread, the first failure of work it handed to other threads (null: none):
     * unchecked ones as they are, so the caller sees what the work itself threw, checked ones wrapped.
     */
    public static void rethrow(Throwable failure) {
        if (failure instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /** The pool whose workers help the calling thread: {@link #count()} − 1 of them; only called when that is at least one. */
    static ForkJoinPool helpers() {
        ForkJoinPool pool = helpers;
        if (pool == null) {
            synchronized (KernelThreads.class) {
                if (helpers == null) {
                    helpers = new ForkJoinPool(count() - 1, KernelThreads::worker, null, false);
                }
                pool = helpers;
            }
        }
        return pool;
    }

    private static ForkJoinWorkerThread worker(ForkJoinPool pool) {
        ForkJoinWorkerThread thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        thread.setName("convnext4j-kernels-" + thread.getPoolIndex());
        thread.setDaemon(true);
        return thread;
    }
}
