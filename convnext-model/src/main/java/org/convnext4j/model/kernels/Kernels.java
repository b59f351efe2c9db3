package org.convnext4j.model.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every numerical pass of the ConvNeXt runtimes and of the optimizer, one method per pass and
 * direction, so that the same network runs on any ND4J backend. Two implementations:
 * {@link org.convnext4j.model.kernels.nd4j.Nd4jKernels}, ND4J ops only, which keeps every array on
 * the backend's device and is the reference; and {@link org.convnext4j.model.kernels.java.JavaKernels},
 * fused Java passes over host memory, faster on the CPU backend and refused on any other.
 * {@link KernelChoice#active()} picks one per process.
 *
 * <p>Matrices are c-order (rows, columns); images are NCHW, activations NHWC. Arrays named as
 * outputs are written whole; inputs are left as they are unless an output is the same array.
 */
public interface Kernels {

    /** LayerNorm epsilon of every ConvNeXt norm. */
    double LAYER_NORM_EPS = 1e-6;
    /** Epsilon of ConvNeXt V2's GRN, added to the mean of the norms. */
    double GRN_EPS = 1e-6;
    /** Side of a block's depthwise convolution kernel. */
    int DEPTHWISE_KERNEL = 7;

    /** {@code java} or {@code nd4j}: the value of {@code CONVNEXT_KERNELS} that selects this implementation. */
    String name();

    /** {@code c} = alpha · op(a) · op(b), into an existing array. */
    void matmul(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB, double alpha);

    /** rows += bias, the bias added to every row, in place. */
    void addColumnBias(INDArray rows, INDArray bias);

    /** {@code sums} = the column sums of {@code rows} (a bias gradient). */
    void columnSums(INDArray rows, INDArray sums);

    /** {@code pooled} (N, C) = the mean over H and W of the NHWC {@code input}. */
    void meanPool(INDArray input, INDArray pooled);

    /** The mean pool's input gradient: each position of sample n gets dPooled[n] / (H·W). */
    void meanPoolBackward(INDArray dPooled, INDArray inputGradient);

    /**
     * LayerNorm over the columns of x + inputBias (inputBias added to every row; none when null):
     * out = x̂·weight + bias with x̂ = (x − mean) / √(var + eps) per row. {@code out} may be {@code x}.
     * When {@code saved} is not null (training), x̂ and 1/σ are written into it for the backward pass.
     */
    void layerNorm(INDArray x, INDArray inputBias, INDArray weight, INDArray bias, INDArray out, LayerNormSaved saved);

    /**
     * From dy = dL/dout and what the forward pass saved: dx = (g·dy − mean(g·dy) − x̂·mean(g·dy·x̂)) / σ
     * (g the weight, means over columns), the weight gradient Σ dy·x̂ and bias gradient Σ dy over rows,
     * and, unless {@code dxColumnSums} is null, Σ dx over rows (the bias gradient of the layer before).
     * {@code dx} may be {@code dy}.
     */
    void layerNormBackward(INDArray dy, LayerNormSaved saved, INDArray weight, INDArray weightGradient,
                           INDArray biasGradient, INDArray dx, INDArray dxColumnSums);

    /**
     * Twice the exact GELU of h = hidden + bias (bias per column): h·(1 + erf(h/√2)); the block folds
     * GELU's ½ into the next matrix product, where it is exact. {@code twiceActivated} may be {@code hidden}.
     */
    void gelu(INDArray hidden, INDArray bias, INDArray twiceActivated);

    /**
     * From {@code hidden} and {@code bias} as given to {@link #gelu} and ½·dL/d(activation):
     * dHidden = ½·dL/da · (1 + erf(h/√2) + h·√(2/π)·exp(−h²/2)), and its column sums as the bias gradient.
     */
    void geluBackward(INDArray hidden, INDArray bias, INDArray halfDActivated, INDArray dHidden, INDArray biasGradient);

    /**
     * The end of a block: out = x + s·γ·(m + bias) per row, with γ the layer scale (1 when null) and s
     * the row's stochastic-depth factor (1 when {@code dropPath} is null): the rows are the samples'
     * rows in order, {@code dropPath.rowsPerSample()} each.
     */
    void blockOutput(INDArray x, INDArray m, INDArray bias, INDArray gamma, DropPath dropPath, INDArray out);

    /**
     * From dL/d(out): dM = s·γ·dL/dout (the residual share of dL/dx, dL/dout itself, is the caller's),
     * the γ gradient Σ s·dL/dout·(m + bias) (when γ is not null) and the bias gradient Σ dM over rows.
     */
    void blockOutputBackward(INDArray dOut, INDArray m, INDArray bias, INDArray gamma, DropPath dropPath, INDArray dM,
                             INDArray gammaGradient, INDArray biasGradient);

    /**
     * ConvNeXt V2's global response normalisation of the rows of {@code x}, each sample's {@code rowsPerSample}
     * rows in turn, for x = s·a with s = {@code scale} (the block's GELU output is twice the activation):
     * G = ‖x‖₂ over the sample's rows per column, N = G / (mean of G over the columns + s·eps), and
     * out = x·(1 + γ·N) + s·β, which is s·GRN(a) exactly. When {@code norms} (samples, columns) is not null
     * (training), G is written into it for the backward pass. {@code out} may be {@code x}.
     */
    void grn(INDArray x, long rowsPerSample, INDArray gamma, INDArray beta, double scale, INDArray out, INDArray norms);

    /**
     * From dL/d(out) and what {@link #grn} read and saved: dx = dOut·(1 + γ·N) + x/G·(S/(M + s·eps) −
     * Σ(S·G)/(C·(M + s·eps)²)) per sample and column, with M the mean of G, C the columns, S = γ·Σ dOut·x over
     * the sample's rows (x/G taken as 0 where G is 0); γ's gradient Σ dOut·x·N and β's s·Σ dOut over all rows.
     * {@code dx} may be {@code dOut}.
     */
    void grnBackward(INDArray dOut, INDArray x, long rowsPerSample, INDArray gamma, double scale, INDArray norms, INDArray dx,
                     INDArray gammaGradient, INDArray betaGradient);

    /** A block's 7×7 depthwise convolution of NHWC {@code input} (stride 1, padding 3) with the (7, 7, C, 1) kernel, plus bias. */
    void depthwise(INDArray input, INDArray kernel, INDArray bias, INDArray out);

    /** The depthwise convolution's input gradient and (7, 7, C, 1) kernel gradient for dL/d(out); the bias gradient is the caller's. */
    void depthwiseBackward(INDArray input, INDArray kernel, INDArray dOut, INDArray inputGradient, INDArray kernelGradient);

    /** Each k×k patch of the NCHW {@code images} as one row of {@code patches}, columns in (ky, kx, c) order. */
    void imagesToPatches(INDArray images, int k, INDArray patches);

    /** Each k×k patch of the NHWC {@code input} as one row of {@code patches}, columns in (ky, kx, c) order (space-to-depth). */
    void toPatches(INDArray input, int k, INDArray patches);

    /**
     * The inverse of {@link #toPatches}: each row of {@code patches} back to its k×k patch of the NHWC
     * {@code output}; rows and columns outside every patch (sizes not multiples of k) are set to zero.
     */
    void fromPatches(INDArray patches, int k, INDArray output);

    /**
     * One AdamW moment update and step, as {@code torch.optim.AdamW} computes it: m and v updated in
     * place, and {@code gradient} replaced by the step lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε).
     */
    void adamStep(AdamStep step, INDArray gradient, INDArray m, INDArray v);

    /** average ← decay·average + (1 − decay)·weights. */
    void emaUpdate(INDArray average, INDArray weights, double decay);
}
