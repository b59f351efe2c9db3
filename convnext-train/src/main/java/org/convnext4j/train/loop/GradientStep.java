package org.convnext4j.train.loop;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * One optimizer step built from several micro-batches (gradient accumulation, the recipe's
 * {@code update_freq}): gradients of each micro-batch are summed, averaged, optionally clipped to a
 * global norm, then DL4J's updater (AdamW here) turns them into the parameter update.
 */
public final class GradientStep {

    private final ComputationGraph graph;
    private final INDArray accumulated;
    private final Double clipNorm;
    private int microBatches;

    public GradientStep(ComputationGraph graph, Double clipNorm) {
        this.graph = graph;
        this.clipNorm = clipNorm;
        if (graph.getGradientsViewArray() == null) {
            graph.initGradientsView();   // DL4J creates it lazily at the first backprop
        }
        this.accumulated = graph.getGradientsViewArray().ulike().assign(0);
    }

    /** Forward and backward on one micro-batch; returns its loss. */
    public double accumulate(DataSet batch) {
        graph.setInputs(batch.getFeatures());
        graph.setLabels(batch.getLabels());
        graph.computeGradientAndScore();
        accumulated.addi(graph.getGradientsViewArray());
        microBatches++;
        return graph.score();
    }

    public int pending() {
        return microBatches;
    }

    /** Applies the averaged gradient as optimizer step {@code step} (0-based; drives the schedules). */
    public void apply(long step, int epoch, int batchSize) {
        if (microBatches == 0) {
            throw new IllegalStateException("no gradients accumulated");
        }
        INDArray gradient = graph.getGradientsViewArray();
        gradient.assign(accumulated.divi(microBatches));
        accumulated.assign(0);
        microBatches = 0;
        if (clipNorm != null) {
            double norm = gradient.norm2Number().doubleValue();
            if (norm > clipNorm) {
                gradient.muli(clipNorm / (norm + 1e-6));   // as torch.nn.utils.clip_grad_norm_
            }
        }
        graph.getUpdater().update(graph.gradient(), (int) step, epoch, batchSize, LayerWorkspaceMgr.noWorkspaces());
        graph.params().subi(gradient.reshape(graph.params().shape()));
        graph.getConfiguration().setIterationCount((int) step + 1);
    }
}
