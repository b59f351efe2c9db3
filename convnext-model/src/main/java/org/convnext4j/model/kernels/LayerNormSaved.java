package org.convnext4j.model.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a LayerNorm's training forward pass keeps for its backward pass: the normalised input x̂,
 * (rows, columns), and 1/σ per row, (rows). The layer owns the arrays; the kernels fill and read them.
 */
public record LayerNormSaved(INDArray normalized, INDArray reciprocalStd) {
}
