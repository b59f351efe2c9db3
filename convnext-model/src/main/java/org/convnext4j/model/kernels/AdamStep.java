package org.convnext4j.model.kernels;

/**
 * The constants of one Adam step at step t (1-based), as {@code torch.optim.Adam} applies them:
 * m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², step = stepSize · m / (√v / sqrtBiasCorrection2 + ε),
 * with stepSize = lr / (1 − β₁ᵗ) and sqrtBiasCorrection2 = √(1 − β₂ᵗ). ε is added after the bias
 * correction, as PyTorch does; DL4J's own Adam adds it before.
 */
public record AdamStep(double beta1, double beta2, double epsilon, double stepSize, double sqrtBiasCorrection2) {

    public static AdamStep of(double learningRate, double beta1, double beta2, double epsilon, int t) {
        return new AdamStep(beta1, beta2, epsilon, learningRate / (1 - Math.pow(beta1, t)), Math.sqrt(1 - Math.pow(beta2, t)));
    }
}
