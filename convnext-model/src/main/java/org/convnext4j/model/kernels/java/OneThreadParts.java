package org.convnext4j.model.kernels.java;

import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Runs a native op as one call per part of its work, the parts in parallel on the
 * {@link KernelThreads}, each call with libnd4j's OpenMP regions kept on the thread that makes it.
 *
 * <p>Why: some ops split their work over threads badly (oneDNN's AVX2 depthwise kernel, its products
 * with few columns, see {@link SplitProduct}) but run at full speed on one thread; when the work has
 * independent parts (images, rows of a product), one one-thread call per part and thread does it
 * without the op's own hand-offs. Where the parts go depends only on the sizes, never on timing.
 */
final class OneThreadParts {

    /** The op on part number {@code index}: items {@code from} (inclusive) to {@code to} (exclusive) of its work. */
    interface Part {
        void run(int index, long from, long to);
    }

    private OneThreadParts() {
    }

    /** The parts {@link #run} splits {@code items} items into: one per kernel thread, at most one per item. */
    static int count(long items) {
        return (int) Math.min(items, KernelThreads.callingThreadOnly() ? 1 : KernelThreads.count());
    }

    /** Splits items 0 … {@code items}−1 into {@link #count} parts of nearly equal size and runs {@code op} on each. */
    static void run(long items, Part op) {
        int parts = count(items);
        SharedIndices.run(parts, index -> onOneOpenMpThread(op, index, items * index / parts, items * (index + 1) / parts));
    }

    private static void onOneOpenMpThread(Part op, int index, long from, long to) {
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int before = ops.ompGetMaxThreads();   // OpenMP's thread count belongs to the calling thread
        ops.setOmpNumThreads(1);
        try {
            op.run(index, from, to);
        } finally {
            ops.setOmpNumThreads(before);
        }
    }
}
