package org.convnext4j.model.kernels.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

class SharedIndicesTest {

    @Test
    void runsEveryIndexExactlyOnce() {
        for (int count : new int[] {1, 2, 3, 17, 200}) {
            AtomicIntegerArray runs = new AtomicIntegerArray(count);
            SharedIndices.run(count, index -> {
                runs.incrementAndGet(index);
                LockSupport.parkNanos(20_000);   // long enough that helpers claim some
            });
            for (int index = 0; index < count; index++) {
                assertEquals(1, runs.get(index), "index " + index + " of " + count);
            }
        }
    }

    @Test
    void rethrowsATaskFailureAfterTheOtherTasksFinish() {
        AtomicIntegerArray runs = new AtomicIntegerArray(8);
        IllegalStateException failure = new IllegalStateException("task 5 failed");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> SharedIndices.run(8, index -> {
            LockSupport.parkNanos(100_000);
            runs.incrementAndGet(index);
            if (index == 5) {
                throw failure;
            }
        }));
        assertSame(failure, thrown);
        for (int index = 0; index < 8; index++) {
            assertEquals(1, runs.get(index), "index " + index + " ran to its end before the caller returned");
        }
    }
}
