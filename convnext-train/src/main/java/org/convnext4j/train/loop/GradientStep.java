package org.convnext4j.train.loop;

import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * One optimizer step built from several micro-batches (gradient accumulation, the recipe's
 * {@code update_freq}): the gradient averaged over every example of the micro-batches, optionally
 * clipped to a global norm, then turned into the parameter update by DL4J's updater (AdamW here).
 *
 * <p>DL4J's backprop yields the gradient summed over a batch, and its updater divides by the batch
 * size it is told; the average is taken here instead (so clipping sees the mean gradient, as
 * PyTorch's does) and the updater is told a batch of 1.
 */
public final class GradientStep {

    private final ComputationGraph graph;
    private final Double clipNorm;
    /** The sum of the pending micro-batches' gradients; created at the first step that has two. */
    private INDArray accumulated;
    private int microBatches;
    private long examples;

    public GradientStep(ComputationGraph graph, Double clipNorm) {
        this.graph = graph;
        this.clipNorm = clipNorm;
        if (graph.getGradientsViewArray() == null) {
            graph.initGradientsView();   // DL4J creates it lazily at the first backprop
        }
    }

    /**
     * Forward and backward on one micro-batch; returns its loss. A lone micro-batch's gradient stays
     * in DL4J's gradient view: a model-sized sum array and three passes over it are only paid for
     * by steps of several micro-batches.
     */
    public double accumulate(DataSet batch) {
        INDArray view = graph.getGradientsViewArray();
        if (microBatches == 1) {
            if (accumulated == null) {
                accumulated = view.ulike();
            }
            accumulated.assign(view);   // the next backprop overwrites the view
        }
        graph.setInputs(batch.getFeatures());
        graph.setLabels(batch.getLabels());
        graph.computeGradientAndScore();
        if (microBatches >= 1) {
            accumulated.addi(view);
        }
        microBatches++;
        examples += batch.numExamples();
        return graph.score();
    }

    public int pending() {
        return microBatches;
    }

    /** Forgets the pending micro-batches' gradients (a run stopping between optimizer steps). */
    public void discard() {
        microBatches = 0;
        examples = 0;
    }

    /** Applies the averaged gradient as optimizer step {@code step} (0-based; drives the schedules). */
    public void apply(long step, int epoch) {
        if (microBatches == 0) {
            throw new IllegalStateException("no gradients accumulated");
        }
        INDArray gradient = graph.getGradientsViewArray();
        if (microBatches == 1) {
            gradient.divi(examples);
        } else {
            gradient.assign(accumulated.divi(examples));
        }
        microBatches = 0;
        examples = 0;
        if (clipNorm != null) {
            double norm = gradient.norm2Number().doubleValue();
            if (norm > clipNorm) {
                gradient.muli(clipNorm / (norm + 1e-6));   // as torch.nn.utils.clip_grad_norm_
            }
        }
        for (TrainingListener listener : graph.getListeners()) {
            listener.onGradientCalculation(graph);   // the step's final gradient, as fit reports it before its update
        }
        graph.getUpdater().update(new ViewGradient(graph), (int) step, epoch, 1, LayerWorkspaceMgr.noWorkspaces());
        graph.params().subi(gradient.reshape(graph.params().shape()));
        graph.getConfiguration().setIterationCount((int) step + 1);
    }

    /**
     * The step's gradient as DL4J's updater wants it for its direct path: {@code gradient()} must
     * return the updater's own flattened gradient array, the very object, or the updater treats the
     * gradient as another network's and slices every parameter's gradient, and the batch-division
     * subsets, out of it again on every step (DL4J's {@code DefaultGradient} returns a fresh
     * reshape): the same memory and arithmetic without that slicing on every step.
     */
    static final class ViewGradient extends DefaultGradient {
        private final INDArray view;

        ViewGradient(ComputationGraph graph) {
            this(graph, graph.getUpdater().getFlattenedGradientsView());
        }

        private ViewGradient(ComputationGraph graph, INDArray view) {
            super(view);
            this.view = view;
            graph.gradient().gradientForVariable().forEach(this::setGradientFor);   // per-layer pre-apply steps read these
        }

        @Override
        public INDArray gradient() {
            return view;
        }
    }
}
