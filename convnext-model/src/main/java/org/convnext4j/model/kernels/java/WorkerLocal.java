package org.convnext4j.model.kernels.java;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.function.Supplier;

/**
 * A value per thread, as {@link ThreadLocal} gives, that the common fork-join pool's workers keep
 * from one task to the next: JDK 17 erases their thread locals after every task, so a cache of
 * working arrays in a thread local was built again on every kernel call there (12 MB per atto
 * inference step for the row kernels' arrays, a young collection every few steps). A worker's
 * value is kept by its pool index, which is unique among live workers.
 */
final class WorkerLocal<T> {

    private final Supplier<T> initial;
    private final ThreadLocal<T> otherThreads;
    private final Map<Integer, T> poolWorkers = new ConcurrentHashMap<>();

    WorkerLocal(Supplier<T> initial) {
        this.initial = initial;
        this.otherThreads = ThreadLocal.withInitial(initial);
    }

    /** This thread's value. */
    T get() {
        if (Thread.currentThread() instanceof ForkJoinWorkerThread worker && worker.getPool() == ForkJoinPool.commonPool()) {
            return poolWorkers.computeIfAbsent(worker.getPoolIndex(), index -> initial.get());
        }
        return otherThreads.get();
    }
}
