package org.convnext4j.model.kernels.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;

import org.junit.jupiter.api.Test;

class WorkerLocalTest {

    @Test
    void aPoolWorkerKeepsItsValueFromOneTaskToTheNext() {
        WorkerLocal<Object> local = new WorkerLocal<>(Object::new);
        Map<Thread, Set<Object>> valuesByWorker = new HashMap<>();
        for (int task = 0; task < 20; task++) {
            Object[] seen = ForkJoinPool.commonPool().submit(() -> new Object[] {Thread.currentThread(), local.get()}).join();
            valuesByWorker.computeIfAbsent((Thread) seen[0], worker -> new HashSet<>()).add(seen[1]);
        }
        valuesByWorker.forEach((worker, values) -> assertEquals(1, values.size(), worker.getName() + " got a new value"));
    }

    @Test
    void otherThreadsEachHaveTheirOwn() throws InterruptedException {
        WorkerLocal<Object> local = new WorkerLocal<>(Object::new);
        Object here = local.get();
        assertSame(here, local.get());
        Object[] elsewhere = new Object[1];
        Thread thread = new Thread(() -> elsewhere[0] = local.get());
        thread.start();
        thread.join();
        assertNotSame(here, elsewhere[0]);
    }
}
