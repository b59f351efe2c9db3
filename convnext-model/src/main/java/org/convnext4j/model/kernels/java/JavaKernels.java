package org.convnext4j.model.kernels.java;

import org.convnext4j.model.kernels.AdamStep;
import org.convnext4j.model.kernels.Backend;
import org.convnext4j.model.kernels.DepthwiseReach;
import org.convnext4j.model.kernels.DropPath;
import org.convnext4j.model.kernels.HostCpu;
import org.convnext4j.model.kernels.KernelChoice;
import org.convnext4j.model.kernels.Kernels;
import org.convnext4j.model.kernels.LayerNormSaved;
import org.convnext4j.model.kernels.Views;
import org.convnext4j.model.kernels.WorkingArrays;
import org.convnext4j.model.kernels.nd4j.Nd4jKernels;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.DepthwiseConv2D;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The kernels as fused Java passes over host memory where that is faster on the CPU than a chain of
 * ND4J ops (LayerNorm, GELU, GRN, the block output, the patch rearrangements, the depthwise kernel
 * gradient, the Adam step), and the same ND4J ops as {@link Nd4jKernels} for the rest (matrix
 * products, the depthwise convolution, pooling, EMA).
 *
 * <p>The passes read and write arrays through their host buffers, which only ND4J's CPU backend
 * keeps current: on any other backend they would read stale memory. So they refuse to be made for
 * one ({@link #JavaKernels(Backend)}).
 */
public final class JavaKernels implements Kernels {

    // Scratch roles (see WorkingArrays).
    private static final String REACHABLE_KERNEL = "java.reachableKernel";
    private static final String TURNED_KERNEL = "java.turnedKernel";

    private final Nd4jKernels nd4j = new Nd4jKernels();
    private final boolean oneDnnAvx512;
    private final boolean oneDnnDepthwiseSlow;

    /**
     * The depthwise convolution and its input gradient run on oneDNN where oneDNN has AVX-512. Without
     * it, the convolution runs on oneDNN's AVX2 kernel one thread per part of the batch
     * ({@link OneThreadParts}: that kernel is the faster on one thread, and scales badly over two), the
     * input gradient on {@link DepthwiseConvolution}; and all of it on ours where oneDNN's path is the
     * slow one ({@link HostCpu#oneDnnDepthwiseSlow}). Products that oneDNN's AVX2 kernels run slowly go
     * through {@link PaddedProduct} or {@link SplitProduct} where oneDNN has no AVX-512.
     *
     * @throws IllegalArgumentException when {@code backend} is not ND4J's CPU backend, or
     *         {@value KernelThreads#VARIABLE} is not a thread count
     */
    public JavaKernels(Backend backend) {
        this(backend, HostCpu.current(), oneDnnMaxIsa());
    }

    private JavaKernels(Backend backend, HostCpu cpu, String oneDnnMaxIsa) {
        this(backend, cpu.oneDnnUsesAvx512(oneDnnMaxIsa), cpu.oneDnnDepthwiseSlow(oneDnnMaxIsa));
    }

    /**
     * @param oneDnnAvx512 whether oneDNN runs its AVX-512 kernels here ({@link HostCpu#oneDnnUsesAvx512})
     * @param oneDnnDepthwiseSlow whether oneDNN's depthwise convolution takes its slow path here ({@link HostCpu#oneDnnDepthwiseSlow})
     */
    public JavaKernels(Backend backend, boolean oneDnnAvx512, boolean oneDnnDepthwiseSlow) {
        this.oneDnnAvx512 = oneDnnAvx512;
        this.oneDnnDepthwiseSlow = oneDnnDepthwiseSlow;
        if (!backend.cpu()) {
            throw new IllegalArgumentException(KernelChoice.VARIABLE + "=java: the Java kernels work on host memory and run only"
                    + " on ND4J's CPU backend, but this process runs on " + backend.name() + "; use "
                    + KernelChoice.VARIABLE + "=nd4j (or auto)");
        }
        KernelThreads.count();   // a bad setting stops the choice of kernels, before any pass runs
    }

    private static String oneDnnMaxIsa() {
        String setting = System.getenv("ONEDNN_MAX_CPU_ISA");
        return setting != null ? setting : System.getenv("DNNL_MAX_CPU_ISA");
    }

    /** Whether the depthwise convolution may run on oneDNN (true), or runs on our own pass always. */
    public boolean oneDnnDepthwise() {
        return !oneDnnDepthwiseSlow;
    }

    /** Whether the depthwise convolution's input gradient runs on oneDNN (true) or on our own pass. */
    private boolean oneDnnDepthwiseGradient() {
        return oneDnnAvx512 && !oneDnnDepthwiseSlow;
    }

    /** What the log's first line says of these kernels' choices, e.g. {@code depthwise on oneDNN}. */
    public String describeChoices() {
        String depthwise = !oneDnnDepthwise() ? "depthwise ours (oneDNN capped below this CPU's AVX-512)"
                : oneDnnDepthwiseGradient() ? "depthwise on oneDNN" : "depthwise on oneDNN a thread per part of the batch, its input gradient ours";
        return depthwise + (oneDnnAvx512 ? "" : "; products padded or split where oneDNN's AVX2 kernels lag");
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public void matmul(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB, double alpha) {
        if (oneDnnAvx512) {
            nd4j.matmul(a, b, c, transposeA, transposeB, alpha);
            return;
        }
        if (PaddedProduct.applies(a, b, c, transposeA, transposeB)) {
            PaddedProduct.multiply(nd4j, a, b, c, alpha);
            return;
        }
        SplitProduct.Split split = SplitProduct.choose(a, b, c, transposeA, transposeB);
        if (split == SplitProduct.Split.NONE) {
            nd4j.matmul(a, b, c, transposeA, transposeB, alpha);
        } else {
            SplitProduct.multiply(nd4j, a, b, c, transposeA, transposeB, alpha, split);
        }
    }

    @Override
    public void addColumnBias(INDArray rows, INDArray bias) {
        nd4j.addColumnBias(rows, bias);
    }

    @Override
    public void columnSums(INDArray rows, INDArray sums) {
        nd4j.columnSums(rows, sums);
    }

    @Override
    public void meanPool(INDArray input, INDArray pooled) {
        nd4j.meanPool(input, pooled);
    }

    @Override
    public void meanPoolBackward(INDArray dPooled, INDArray inputGradient) {
        nd4j.meanPoolBackward(dPooled, inputGradient);
    }

    @Override
    public void layerNorm(INDArray x, INDArray inputBias, INDArray weight, INDArray bias, INDArray out, LayerNormSaved saved) {
        RowLayerNorm.forward(x, inputBias, weight, bias, out, saved);
    }

    @Override
    public void layerNormBackward(INDArray dy, LayerNormSaved saved, INDArray weight, INDArray weightGradient,
                                  INDArray biasGradient, INDArray dx, INDArray dxColumnSums) {
        RowLayerNorm.backward(dy, saved, weight, weightGradient, biasGradient, dx, dxColumnSums);
    }

    @Override
    public void gelu(INDArray hidden, INDArray bias, INDArray twiceActivated) {
        Gelu.forward(hidden, bias, twiceActivated);
    }

    @Override
    public void geluBackward(INDArray hidden, INDArray bias, INDArray halfDActivated, INDArray dHidden, INDArray biasGradient) {
        Gelu.backward(hidden, bias, halfDActivated, dHidden, biasGradient);
    }

    @Override
    public void blockOutput(INDArray x, INDArray m, INDArray bias, INDArray gamma, DropPath dropPath, INDArray out) {
        BlockOutput.forward(x, m, bias, gamma, dropPath, out);
    }

    @Override
    public void blockOutputBackward(INDArray dOut, INDArray m, INDArray bias, INDArray gamma, DropPath dropPath, INDArray dM,
                                    INDArray gammaGradient, INDArray biasGradient) {
        BlockOutput.backward(dOut, m, bias, gamma, dropPath, dM, gammaGradient, biasGradient);
    }

    @Override
    public void grn(INDArray x, long rowsPerSample, INDArray gamma, INDArray beta, double scale, INDArray out, INDArray norms) {
        GlobalResponseNorm.forward(x, rowsPerSample, gamma, beta, scale, out, norms);
    }

    @Override
    public void grnBackward(INDArray dOut, INDArray x, long rowsPerSample, INDArray gamma, double scale, INDArray norms, INDArray dx,
                            INDArray gammaGradient, INDArray betaGradient) {
        GlobalResponseNorm.backward(dOut, x, rowsPerSample, gamma, scale, norms, dx, gammaGradient, betaGradient);
    }

    @Override
    public void depthwise(INDArray input, INDArray kernel, INDArray bias, INDArray out) {
        if (oneDnnAvx512 && oneDnnDepthwise()) {
            nd4j.depthwise(input, kernel, bias, out);
        } else if (oneDnnDepthwise()) {
            OneThreadParts.run(input.size(0), (index, from, to) -> nd4j.depthwise(Views.firstAxisRange(input, from, to), kernel, bias,
                    Views.firstAxisRange(out, from, to)));
        } else {
            DepthwiseConvolution.forward(input, kernel, bias, false, out);
        }
    }

    /**
     * The input gradient as the forward convolution with the kernel turned 180° (oneDNN runs libnd4j's
     * depthwise backward op through im2col and GEMM in this layout, many times slower than its forward
     * kernel), the kernel gradient by {@link DepthwiseKernelGradient}.
     */
    @Override
    public void depthwiseBackward(INDArray input, INDArray kernel, INDArray dOut, INDArray inputGradient, INDArray kernelGradient) {
        if (oneDnnDepthwiseGradient()) {
            DepthwiseReach reach = DepthwiseReach.of(input.size(1), input.size(2));
            INDArray reachable = reach.kernel(kernel, REACHABLE_KERNEL);
            INDArray turned = WorkingArrays.scratch().get(TURNED_KERNEL, kernel.dataType(), reachable.shape());
            Nd4j.exec(DynamicCustomOp.builder("reverse").addInputs(reachable).addOutputs(turned).addIntegerArguments(0, 1).build());
            Nd4j.exec(new DepthwiseConv2D(dOut, turned, null, inputGradient, reach.convolution()));
        } else {
            DepthwiseConvolution.forward(dOut, kernel, null, true, inputGradient);
        }
        DepthwiseKernelGradient.compute(input, dOut, kernelGradient);
    }

    @Override
    public void imagesToPatches(INDArray images, int k, INDArray patches) {
        Patchify.imagesToPatches(images, k, patches);
    }

    @Override
    public void toPatches(INDArray input, int k, INDArray patches) {
        Patchify.toPatches(input, k, patches);
    }

    @Override
    public void fromPatches(INDArray patches, int k, INDArray output) {
        Patchify.fromPatches(patches, k, output);
    }

    @Override
    public void adamStep(AdamStep step, INDArray gradient, INDArray m, INDArray v) {
        AdamUpdate.apply(step, gradient, m, v);
    }

    @Override
    public void emaUpdate(INDArray average, INDArray weights, double decay) {
        nd4j.emaUpdate(average, weights, decay);
    }
}
