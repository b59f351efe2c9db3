package org.convnext4j.model.optim;

import java.util.Map;
import java.util.Objects;

import org.convnext4j.model.kernels.AdamStep;
import org.convnext4j.model.kernels.KernelChoice;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Adam with the step exactly as {@code torch.optim.Adam}/{@code AdamW} compute it:
 * lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε). DL4J's own Adam adds ε before the bias correction, which
 * changes the step of every gradient smaller than about 1e-6 (measured against PyTorch: up to 70%
 * of a step). Decoupled weight decay is a separate DL4J {@code WeightDecay} (see {@link AdamW}).
 */
public class TorchAdam implements IUpdater {

    private final ISchedule learningRate;
    private final double beta1;
    private final double beta2;
    private final double epsilon;

    // DL4J writes updaters into its network JSON with its own shaded Jackson, whose annotations these must be.
    public TorchAdam(@JsonProperty("learningRate") ISchedule learningRate, @JsonProperty("beta1") double beta1,
                     @JsonProperty("beta2") double beta2, @JsonProperty("epsilon") double epsilon) {
        this.learningRate = Objects.requireNonNull(learningRate, "learningRate");
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    @Override
    public long stateSize(long numParams) {
        return 2 * numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        Updater updater = new Updater(this);
        updater.setStateViewArray(viewArray, null, 'c', initializeViewArray);
        return updater;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        Updater updater = new Updater(this);
        updater.setState(updaterState, initializeStateArrays);
        return updater;
    }

    @Override
    public TorchAdam clone() {
        return new TorchAdam(learningRate.clone(), beta1, beta2, epsilon);
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRate.valueAt(iteration, epoch);
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        throw new UnsupportedOperationException("TorchAdam's learning rate is fixed by its schedule");
    }

    public ISchedule getLearningRate() {
        return learningRate;
    }

    public double getBeta1() {
        return beta1;
    }

    public double getBeta2() {
        return beta2;
    }

    public double getEpsilon() {
        return epsilon;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TorchAdam a && learningRate.equals(a.learningRate) && Double.compare(beta1, a.beta1) == 0
                && Double.compare(beta2, a.beta2) == 0 && Double.compare(epsilon, a.epsilon) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, beta1, beta2, epsilon);
    }

    /** The per-layer state: first and second moments, halves of DL4J's updater state view. */
    static final class Updater implements GradientUpdater<TorchAdam> {
        private static final String M = "M";
        private static final String V = "V";

        private final TorchAdam config;
        private INDArray m;
        private INDArray v;

        Updater(TorchAdam config) {
            this.config = config;
        }

        @Override
        public TorchAdam getConfig() {
            return config;
        }

        @Override
        public void setState(Map<String, INDArray> state, boolean initialize) {
            if (!state.containsKey(M) || !state.containsKey(V) || state.size() != 2) {
                throw new IllegalStateException("Adam state needs exactly the keys M and V, got " + state.keySet());
            }
            m = state.get(M);
            v = state.get(V);
        }

        @Override
        public Map<String, INDArray> getState() {
            return Map.of(M, m, V, v);
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
            if (initialize) {
                viewArray.assign(0);
            }
            INDArray flat = viewArray.reshape(viewArray.length());
            long half = flat.length() / 2;
            m = flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, half));
            v = flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(half, flat.length()));
        }

        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            AdamStep step = AdamStep.of(config.getLearningRate(iteration, epoch), config.beta1, config.beta2, config.epsilon,
                    iteration + 1);
            KernelChoice.active().adamStep(step, gradient.reshape(m.length()), m, v);
        }
    }
}
