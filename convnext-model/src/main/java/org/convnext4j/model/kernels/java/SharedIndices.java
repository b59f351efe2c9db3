package org.convnext4j.model.kernels.java;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Runs tasks 0 … count−1 on the calling thread and on the helpers of {@link KernelThreads}, each
 * thread claiming the next unclaimed index until none is left; returns when all have finished.
 *
 * <p>Why not a parallel stream: its split tree reached the second core 60–100 µs into each call
 * (measured inside atto's forward pass, where a kernel call takes 0.3–2 ms) and then fixed which
 * thread ran which half. Here the caller starts at once, one helper wake-up is the whole hand-off,
 * and whichever thread is free takes the next task.
 */
final class SharedIndices {

    /** Spins before yielding while the last tasks finish on other threads: about a chunk's length. */
    private static final int SPINS_BEFORE_YIELDING = 2000;

    private final int count;
    private final IntConsumer task;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private SharedIndices(int count, IntConsumer task) {
        this.count = count;
        this.task = task;
    }

    static void run(int count, IntConsumer task) {
        if (count == 1) {
            task.accept(0);
            return;
        }
        SharedIndices shared = new SharedIndices(count, task);
        int helpers = KernelThreads.helpersFor(count);
        for (int i = 0; i < helpers; i++) {
            KernelThreads.helpers().execute(shared::claimUntilNoneLeft);
        }
        shared.claimUntilNoneLeft();
        shared.awaitAll();
        KernelThreads.rethrow(shared.failure.get());
    }

    private void claimUntilNoneLeft() {
        for (int index = next.getAndIncrement(); index < count; index = next.getAndIncrement()) {
            try {
                task.accept(index);
            } catch (Throwable thrown) {
                failure.compareAndSet(null, thrown);
            } finally {
                finished.incrementAndGet();
            }
        }
    }

    /** Waits for the tasks other threads claimed; yields after a while in case one shares this core. */
    private void awaitAll() {
        for (int spins = 0; finished.get() < count; spins++) {
            if (spins < SPINS_BEFORE_YIELDING) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }
}
