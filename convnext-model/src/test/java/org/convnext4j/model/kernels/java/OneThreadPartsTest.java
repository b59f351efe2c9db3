package org.convnext4j.model.kernels.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

class OneThreadPartsTest {

    @Test
    void everyItemIsInExactlyOnePartAndEachPartRunsOnOneOpenMpThread() {
        Nd4j.create(1);   // loads the backend
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int before = ops.ompGetMaxThreads();
        for (long items : new long[] {1, 2, 7, 8, 101}) {
            AtomicIntegerArray seen = new AtomicIntegerArray((int) items);
            AtomicIntegerArray partThreads = new AtomicIntegerArray(OneThreadParts.count(items));
            OneThreadParts.run(items, (index, from, to) -> {
                partThreads.set(index, ops.ompGetMaxThreads());
                for (long item = from; item < to; item++) {
                    seen.incrementAndGet((int) item);
                }
            });
            int[] once = new int[(int) items];
            java.util.Arrays.fill(once, 1);
            int[] counts = new int[(int) items];
            for (int i = 0; i < items; i++) {
                counts[i] = seen.get(i);
            }
            assertArrayEquals(once, counts, items + " items");
            for (int part = 0; part < partThreads.length(); part++) {
                assertEquals(1, partThreads.get(part), "OpenMP threads in part " + part + " of " + items + " items");
            }
        }
        assertEquals(before, ops.ompGetMaxThreads(), "the calling thread's OpenMP threads, restored");
    }

    @Test
    void onePartPerKernelThreadAtMostOnePerItem() {
        assertEquals(1, OneThreadParts.count(1));
        assertEquals(Math.min(5, KernelThreads.count()), OneThreadParts.count(5));
        assertEquals(1, KernelThreads.onCallingThreadOnly(() -> OneThreadParts.count(5)), "inside a split the caller already made");
    }
}
