package org.convnext4j.train.loop;

import org.convnext4j.model.kernels.KernelChoice;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exponential moving average of the weights (timm's ModelEma, as the official recipe uses it):
 * after every optimizer step, ema ← decay·ema + (1 − decay)·weights.
 */
public final class Ema {

    private final double decay;
    private final INDArray weights;

    private Ema(double decay, INDArray weights) {
        this.decay = decay;
        this.weights = weights;
    }

    /** Starts from the network's current weights. */
    public static Ema of(ComputationGraph graph, double decay) {
        return new Ema(decay, graph.params().dup());
    }

    /** Continues from saved averages (a resumed run). */
    public static Ema restore(INDArray saved, double decay) {
        return new Ema(decay, saved.dup());
    }

    public void update(ComputationGraph graph) {
        KernelChoice.active().emaUpdate(weights, graph.params(), decay);
    }

    public INDArray weights() {
        return weights;
    }

    /** Runs {@code action} with the averaged weights in the network, then puts the trained ones back. */
    public <T> T withAveragedWeights(ComputationGraph graph, java.util.function.Supplier<T> action) {
        INDArray trained = graph.params().dup();
        graph.params().assign(weights);
        try {
            return action.get();
        } finally {
            graph.params().assign(trained);
        }
    }
}
