package org.convnext4j.model;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.convnext4j.model.kernels.KernelChoice;
import org.convnext4j.model.kernels.Views;
import org.convnext4j.model.kernels.java.KernelThreads;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Logits for batches of images, each batch split by samples over replicas of one network, one replica
 * per thread of our own, each thread running every pass of its part alone: libnd4j's OpenMP regions at
 * one thread and the Java kernels without helpers.
 *
 * <p>Why: on the CPU a pass over a small network's or a small batch's activations is short, and sharing
 * every pass between threads costs a hand-off per pass (an OpenMP worker or a kernel helper woken, caches
 * warmed by another core) that a split by samples does without; the samples of a ConvNeXt never meet
 * before the head (LayerNorm is per position), so the parts are the batch's logits exactly as one pass
 * computes them, up to the order of float sums. Figures in docs/performance-journal.md.
 *
 * <p>The replicas share the network's parameters (its one flattened array, not copies): they see every
 * change made to it in place (a training step, EMA weights swapped in) and cost memory only for their own
 * activations. A batch of one sample, a backend other than ND4J's CPU, or {@value KernelThreads#VARIABLE}=1
 * runs the network itself on the calling thread, with every thread the passes would use there.
 * One batch at a time: the methods are not for concurrent callers. {@link #close()} stops the threads.
 */
public final class SplitBatchInference implements AutoCloseable {

    private final ComputationGraph graph;
    private final List<ComputationGraph> replicas = new ArrayList<>();
    private final List<ExecutorService> threads = new ArrayList<>();

    private SplitBatchInference(ComputationGraph graph, int parts) {
        this.graph = graph;
        for (int i = 0; parts > 1 && i < parts; i++) {
            ComputationGraph replica = new ComputationGraph(graph.getConfiguration().clone());
            replica.init(graph.params(), false);
            replicas.add(replica);
            String name = "convnext4j-inference-" + i;
            threads.add(Executors.newSingleThreadExecutor(work -> {
                Thread thread = new Thread(() -> {
                    // OpenMP's thread count is per calling thread: this one's regions stay on it.
                    NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(1);
                    work.run();
                }, name);
                thread.setDaemon(true);
                return thread;
            }));
        }
    }

    /** Over {@link KernelThreads#count()} parts on ND4J's CPU backend; on any other, the network on the calling thread. */
    public static SplitBatchInference of(ComputationGraph graph) {
        return of(graph, KernelChoice.backend().cpu() ? KernelThreads.count() : 1);
    }

    /** Over at most {@code parts} parts (1: the network on the calling thread). */
    public static SplitBatchInference of(ComputationGraph graph, int parts) {
        if (parts < 1) {
            throw new IllegalArgumentException("parts must be at least 1, got " + parts);
        }
        return new SplitBatchInference(graph, parts);
    }

    /** The parts a batch of {@code batch} images is split into: 1 when the network runs whole on the calling thread. */
    public int partsFor(long batch) {
        return (int) Math.max(1, Math.min(replicas.size(), batch));
    }

    /** For a log line: how a batch of {@code batch} images runs. */
    public String describe(long batch) {
        int parts = partsFor(batch);
        return parts == 1 ? "the whole batch on the calling thread"
                : "the batch split over " + parts + " replicas of the network, one thread each";
    }

    /** Logits (N, classes) for a batch of NCHW images, in inference mode, as {@link ConvNeXtGraph#logits} gives them. */
    public INDArray logits(INDArray images) {
        long batch = images.size(0);
        int used = partsFor(batch);
        if (used == 1) {
            return ConvNeXtGraph.logits(graph, images);
        }
        List<Future<INDArray>> parts = new ArrayList<>(used);
        for (int i = 0; i < used; i++) {
            INDArray part = Views.firstAxisRange(images, batch * i / used, batch * (i + 1) / used);
            ComputationGraph replica = replicas.get(i);
            parts.add(threads.get(i).submit(() -> KernelThreads.onCallingThreadOnly(() -> ConvNeXtGraph.logits(replica, part))));
        }
        INDArray[] logits = new INDArray[used];
        Throwable failure = null;
        boolean interrupted = false;
        for (int i = 0; i < used; i++) {
            // Every part is waited for, failed or not, so that no replica is still running when this returns.
            while (true) {
                try {
                    logits[i] = parts.get(i).get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    failure = failure == null ? e.getCause() : failure;
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        KernelThreads.rethrow(failure);
        return Nd4j.concat(0, logits);
    }

    /** Stops the threads, after freeing the ND4J workspaces their passes made; a second call does nothing. */
    @Override
    public void close() {
        for (ExecutorService thread : threads) {
            if (!thread.isShutdown()) {
                thread.execute(() -> Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread());
                thread.shutdown();
            }
        }
    }
}
