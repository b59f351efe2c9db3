package org.convnext4j.model.kernels.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class KernelThreadsTest {

    @Test
    void theCountIsTheSettingOrElseTheProcessors() {
        assertEquals(6, KernelThreads.parse(null, 6));
        assertEquals(6, KernelThreads.parse(" ", 6));
        assertEquals(1, KernelThreads.parse("1", 6));
        assertEquals(12, KernelThreads.parse(" 12 ", 6));
    }

    @Test
    void aBadSettingNamesTheVariableAndTheValue() {
        for (String bad : new String[] {"0", "-2", "two", "1.5", "100000"}) {
            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> KernelThreads.parse(bad, 2));
            assertEquals("CONVNEXT_KERNEL_THREADS is '" + bad + "'; expected a whole number of threads from 1 to 1024"
                    + " (unset: the 2 processors Java sees)", thrown.getMessage());
        }
    }

    /** The common pool erases a worker's thread locals when it goes idle; the kernels' working arrays must survive that. */
    @Test
    void aHelperKeepsItsThreadLocalsFromOneTaskToTheNext() {
        Assumptions.assumeTrue(KernelThreads.count() > 1, "one kernel thread: no helpers");
        ThreadLocal<Object> local = ThreadLocal.withInitial(Object::new);
        Map<Thread, Set<Object>> valuesByWorker = new HashMap<>();
        for (int task = 0; task < 10; task++) {
            Object[] seen = KernelThreads.helpers().submit(() -> new Object[] {Thread.currentThread(), local.get()}).join();
            valuesByWorker.computeIfAbsent((Thread) seen[0], worker -> new HashSet<>()).add(seen[1]);
            LockSupport.parkNanos(20_000_000);   // long enough for an idle worker to park
        }
        valuesByWorker.forEach((worker, values) -> assertEquals(1, values.size(), worker.getName() + " got a new value"));
    }

    @Test
    void helpersAreDaemonsOfTheKernelsOwnPoolNeverTheCommonOne() {
        Assumptions.assumeTrue(KernelThreads.count() > 1, "one kernel thread: no helpers");
        ForkJoinPool pool = KernelThreads.helpers();
        assertNotSame(ForkJoinPool.commonPool(), pool);
        assertSame(pool, KernelThreads.helpers());
        assertEquals(KernelThreads.count() - 1, pool.getParallelism());
        Set<Thread> ran = ConcurrentHashMap.newKeySet();
        SharedIndices.run(64, index -> {
            ran.add(Thread.currentThread());
            LockSupport.parkNanos(200_000);
        });
        assertTrue(ran.size() > 1, "only " + ran + " ran the tasks");
        for (Thread thread : ran) {
            if (thread != Thread.currentThread()) {
                assertTrue(thread.isDaemon() && thread.getName().startsWith("convnext4j-kernels-"), thread.toString());
            }
        }
    }

    @Test
    void insideOnCallingThreadOnlyEveryTaskRunsOnTheCaller() {
        Set<Thread> ran = ConcurrentHashMap.newKeySet();
        int tasks = KernelThreads.onCallingThreadOnly(() -> {
            assertEquals(0, KernelThreads.helpersFor(64));
            SharedIndices.run(64, index -> {
                ran.add(Thread.currentThread());
                LockSupport.parkNanos(200_000);   // long enough that a woken helper would claim some
            });
            return 64;
        });
        assertEquals(Set.of(Thread.currentThread()), ran);
        assertEquals(64, tasks);
        assertEquals(Math.min(63, KernelThreads.count() - 1), KernelThreads.helpersFor(64), "helpers again after it returns");
    }

    @Test
    void onCallingThreadOnlyEndsWithItsActionEvenWhenItThrows() {
        assertThrows(IllegalStateException.class, () -> KernelThreads.onCallingThreadOnly(() -> {
            throw new IllegalStateException("failed");
        }));
        assertEquals(Math.min(7, KernelThreads.count() - 1), KernelThreads.helpersFor(8));
        KernelThreads.onCallingThreadOnly(() -> KernelThreads.onCallingThreadOnly(() -> 0));
        assertEquals(Math.min(7, KernelThreads.count() - 1), KernelThreads.helpersFor(8), "a nested call restores, not clears");
    }
}
