package org.convnext4j.model.kernels.nd4j;

import org.convnext4j.model.kernels.AdamStep;
import org.convnext4j.model.kernels.DepthwiseReach;
import org.convnext4j.model.kernels.DropPath;
import org.convnext4j.model.kernels.Kernels;
import org.convnext4j.model.kernels.LayerNormSaved;
import org.convnext4j.model.kernels.Views;
import org.convnext4j.model.kernels.WorkingArrays;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastCopyOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.DepthwiseConv2D;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The kernels as ND4J ops only: every array stays where the backend keeps it (the GPU's memory on
 * nd4j-cuda), nothing is read element by element from Java. The reference implementation, and the
 * one any backend but the CPU's runs.
 *
 * <p>Temporaries are views of reused per-thread buffers ({@link WorkingArrays}), outside DL4J's
 * workspaces as the runtimes' own arrays are.
 */
public final class Nd4jKernels implements Kernels {

    /** Broadcast dimension of a per-column vector over the rows of a matrix. */
    private static final int PER_COLUMN = 1;
    /** Broadcast dimension of a per-row (per-sample) vector. */
    private static final int PER_ROW = 0;
    /** Below every norm of a non-zero float column, and 1/it far from float's overflow. */
    private static final double SMALLEST_NORM = 1e-30;
    /** Broadcast dimensions of a (samples, columns) array over (samples, rows per sample, columns). */
    private static final int[] SAMPLE_AND_COLUMN = {0, 2};
    private static final double INV_SQRT_2 = 1.0 / Math.sqrt(2.0);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    // Scratch roles (see WorkingArrays): (rows, columns) matrices, wide (rows, 4·columns) ones, per-row values.
    private static final String ROWS = "nd4j.rows";
    private static final String ROWS_2 = "nd4j.rows2";
    private static final String WIDE = "nd4j.wide";
    private static final String WIDE_2 = "nd4j.wide2";
    private static final String WIDE_3 = "nd4j.wide3";
    private static final String ROW_STATISTIC = "nd4j.rowStatistic";
    private static final String ROW_STATISTIC_2 = "nd4j.rowStatistic2";
    private static final String POOL_SHARE = "nd4j.poolShare";
    private static final String REACHABLE_KERNEL = "nd4j.reachableKernel";
    private static final String REACHABLE_KERNEL_GRADIENT = "nd4j.reachableKernelGradient";
    /** libnd4j's integer arguments for channels-last data and explicit padding. */
    private static final int NHWC = 1;
    private static final int EXPLICIT_PADDING = 0;

    @Override
    public String name() {
        return "nd4j";
    }

    @Override
    public void matmul(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB, double alpha) {
        Nd4j.exec(new Mmul(a, b, c, alpha, 0.0, MMulTranspose.builder().transposeA(transposeA).transposeB(transposeB).build()));
    }

    @Override
    public void addColumnBias(INDArray rows, INDArray bias) {
        Nd4j.exec(new BroadcastAddOp(rows, bias, rows, PER_COLUMN));
    }

    @Override
    public void columnSums(INDArray rows, INDArray sums) {
        rows.sum(sums, 0);
    }

    @Override
    public void meanPool(INDArray input, INDArray pooled) {
        input.mean(pooled, 1, 2);
    }

    @Override
    public void meanPoolBackward(INDArray dPooled, INDArray inputGradient) {
        long batch = inputGradient.size(0);
        long positions = inputGradient.size(1) * inputGradient.size(2);
        INDArray share = scratch(POOL_SHARE, dPooled.dataType(), dPooled.shape());
        dPooled.mul(1.0 / positions, share);
        INDArray spread = inputGradient.reshape(batch, positions, inputGradient.size(3));
        Nd4j.exec(new BroadcastCopyOp(spread, share, spread, 0, 2));
    }

    @Override
    public void layerNorm(INDArray x, INDArray inputBias, INDArray weight, INDArray bias, INDArray out, LayerNormSaved saved) {
        DataType type = x.dataType();
        long rows = x.size(0);
        INDArray normalized = saved != null ? saved.normalized() : scratch(ROWS, type, x.shape());
        INDArray reciprocalStd = saved != null ? saved.reciprocalStd() : scratch(ROW_STATISTIC, type, rows);
        if (inputBias == null) {
            normalized.assign(x);
        } else {
            Nd4j.exec(new BroadcastAddOp(x, inputBias, normalized, PER_COLUMN));
        }
        INDArray mean = scratch(ROW_STATISTIC_2, type, rows);
        normalized.mean(mean, 1);
        Nd4j.exec(new BroadcastSubOp(normalized, mean, normalized, PER_ROW));
        INDArray squares = scratch(ROWS_2, type, x.shape());
        normalized.mul(normalized, squares);
        squares.mean(reciprocalStd, 1);
        Transforms.sqrt(reciprocalStd.addi(LAYER_NORM_EPS), false).rdivi(1.0);
        Nd4j.exec(new BroadcastMulOp(normalized, reciprocalStd, normalized, PER_ROW));
        Nd4j.exec(new BroadcastMulOp(normalized, weight, out, PER_COLUMN));
        addColumnBias(out, bias);
    }

    @Override
    public void layerNormBackward(INDArray dy, LayerNormSaved saved, INDArray weight, INDArray weightGradient,
                                  INDArray biasGradient, INDArray dx, INDArray dxColumnSums) {
        DataType type = dy.dataType();
        long rows = dy.size(0);
        INDArray normalized = saved.normalized();
        // The parameter gradients first: dx may be dy itself.
        INDArray products = scratch(ROWS, type, dy.shape());
        dy.mul(normalized, products).sum(weightGradient, 0);
        dy.sum(biasGradient, 0);
        INDArray gdy = scratch(ROWS_2, type, dy.shape());
        Nd4j.exec(new BroadcastMulOp(dy, weight, gdy, PER_COLUMN));
        INDArray meanGdyX = scratch(ROW_STATISTIC, type, rows);
        gdy.mul(normalized, products).mean(meanGdyX, 1);
        INDArray meanGdy = scratch(ROW_STATISTIC_2, type, rows);
        gdy.mean(meanGdy, 1);
        Nd4j.exec(new BroadcastMulOp(normalized, meanGdyX, products, PER_ROW));   // x̂·mean(g·dy·x̂)
        Nd4j.exec(new BroadcastSubOp(gdy, meanGdy, gdy, PER_ROW));
        gdy.subi(products);
        Nd4j.exec(new BroadcastMulOp(gdy, saved.reciprocalStd(), dx, PER_ROW));
        if (dxColumnSums != null) {
            dx.sum(dxColumnSums, 0);
        }
    }

    @Override
    public void gelu(INDArray hidden, INDArray bias, INDArray twiceActivated) {
        INDArray h = scratch(WIDE, hidden.dataType(), hidden.shape());
        Nd4j.exec(new BroadcastAddOp(hidden, bias, h, PER_COLUMN));
        INDArray erfPlusOne = scratch(WIDE_2, hidden.dataType(), hidden.shape());
        erf(h.mul(INV_SQRT_2, erfPlusOne)).addi(1.0);
        h.mul(erfPlusOne, twiceActivated);
    }

    @Override
    public void geluBackward(INDArray hidden, INDArray bias, INDArray halfDActivated, INDArray dHidden, INDArray biasGradient) {
        INDArray h = scratch(WIDE, hidden.dataType(), hidden.shape());
        Nd4j.exec(new BroadcastAddOp(hidden, bias, h, PER_COLUMN));
        INDArray derivative = scratch(WIDE_2, hidden.dataType(), hidden.shape());
        erf(h.mul(INV_SQRT_2, derivative)).addi(1.0);                        // 2·Φ(h)
        INDArray density = scratch(WIDE_3, hidden.dataType(), hidden.shape());
        exp(h.mul(h, density).muli(-0.5)).muli(h).muli(SQRT_2_OVER_PI);     // 2·h·φ(h)
        derivative.addi(density).mul(halfDActivated, dHidden);
        dHidden.sum(biasGradient, 0);
    }

    @Override
    public void blockOutput(INDArray x, INDArray m, INDArray bias, INDArray gamma, DropPath dropPath, INDArray out) {
        INDArray branch = scratch(ROWS, m.dataType(), m.shape());
        Nd4j.exec(new BroadcastAddOp(m, bias, branch, PER_COLUMN));
        if (gamma != null) {
            Nd4j.exec(new BroadcastMulOp(branch, gamma, branch, PER_COLUMN));
        }
        scalePerSample(branch, dropPath);
        x.add(branch, out);
    }

    @Override
    public void blockOutputBackward(INDArray dOut, INDArray m, INDArray bias, INDArray gamma, DropPath dropPath, INDArray dM,
                                    INDArray gammaGradient, INDArray biasGradient) {
        INDArray dBranch = scratch(ROWS, m.dataType(), m.shape()).assign(dOut);
        scalePerSample(dBranch, dropPath);
        if (gamma != null) {
            INDArray biased = scratch(ROWS_2, m.dataType(), m.shape());
            Nd4j.exec(new BroadcastAddOp(m, bias, biased, PER_COLUMN));
            biased.muli(dBranch).sum(gammaGradient, 0);
            Nd4j.exec(new BroadcastMulOp(dBranch, gamma, dBranch, PER_COLUMN));
        }
        dM.assign(dBranch);
        dBranch.sum(biasGradient, 0);
    }

    /** Multiplies each sample's rows of the c-order (rows, columns) {@code rows} by its drop-path factor. */
    private static void scalePerSample(INDArray rows, DropPath dropPath) {
        if (dropPath == null) {
            return;
        }
        INDArray perSample = rows.reshape(dropPath.factors().length(), rows.length() / dropPath.factors().length());
        Nd4j.exec(new BroadcastMulOp(perSample, dropPath.factors(), perSample, PER_ROW));
    }

    @Override
    public void grn(INDArray x, long rowsPerSample, INDArray gamma, INDArray beta, double scale, INDArray out, INDArray norms) {
        INDArray perSample = x.reshape(x.size(0) / rowsPerSample, rowsPerSample, x.size(1));
        INDArray g = perSample.norm2(1);
        if (norms != null) {
            norms.assign(g);
        }
        // x·(1 + γ·N), one factor per sample and column, then + s·β on every row
        INDArray factor = normalised(g, scale).muliRowVector(gamma).addi(1);
        Nd4j.exec(new BroadcastMulOp(perSample, factor, out.reshape(perSample.shape()), SAMPLE_AND_COLUMN));
        Nd4j.exec(new BroadcastAddOp(out, beta.mul(scale), out, PER_COLUMN));
    }

    @Override
    public void grnBackward(INDArray dOut, INDArray x, long rowsPerSample, INDArray gamma, double scale, INDArray norms, INDArray dx,
                            INDArray gammaGradient, INDArray betaGradient) {
        long samples = x.size(0) / rowsPerSample;
        long columns = x.size(1);
        INDArray xs = x.reshape(samples, rowsPerSample, columns);
        INDArray ds = dOut.reshape(samples, rowsPerSample, columns);
        dOut.sum(betaGradient, 0);
        betaGradient.muli(scale);
        INDArray dOutX = scratch(WIDE, x.dataType(), x.shape());
        dOut.mul(x, dOutX);
        INDArray p = dOutX.reshape(samples, rowsPerSample, columns).sum(1);   // Σ dOut·x per sample and column
        INDArray n = normalised(norms, scale);
        p.mul(n).sum(gammaGradient, 0);
        INDArray s = p.muliRowVector(gamma);
        INDArray denominator = norms.mean(true, 1).addi(scale * GRN_EPS);   // (samples, 1)
        INDArray shared = s.mul(norms).sum(true, 1).divi(denominator.mul(denominator).muli(columns));
        // 1/G, with G clamped: a column whose norm is 0 is all zeros, and its x/G term is then 0 (not 0·∞)
        INDArray inverseNorms = Transforms.max(norms, SMALLEST_NORM, true).rdivi(1);
        INDArray xFactor = s.diviColumnVector(denominator).subiColumnVector(shared).muli(inverseNorms);
        INDArray dFactor = n.muliRowVector(gamma).addi(1);
        INDArray dxs = dx.reshape(samples, rowsPerSample, columns);
        Nd4j.exec(new BroadcastMulOp(xs, xFactor, dOutX.reshape(xs.shape()), SAMPLE_AND_COLUMN));
        Nd4j.exec(new BroadcastMulOp(ds, dFactor, dxs, SAMPLE_AND_COLUMN));
        dx.addi(dOutX);
    }

    /** N = G / (mean of G over the columns + s·eps), per sample (row of {@code norms}). */
    private static INDArray normalised(INDArray norms, double scale) {
        return norms.divColumnVector(norms.mean(true, 1).addi(scale * GRN_EPS));
    }

    @Override
    public void depthwise(INDArray input, INDArray kernel, INDArray bias, INDArray out) {
        DepthwiseReach reach = DepthwiseReach.of(input.size(1), input.size(2));
        Nd4j.exec(new DepthwiseConv2D(input, reach.kernel(kernel, REACHABLE_KERNEL), bias, out, reach.convolution()));
    }

    /** libnd4j's depthwise_conv2d_bp: both gradients in one op (cuDNN's on nd4j-cuda, oneDNN's on the CPU). */
    @Override
    public void depthwiseBackward(INDArray input, INDArray kernel, INDArray dOut, INDArray inputGradient, INDArray kernelGradient) {
        DepthwiseReach reach = DepthwiseReach.of(input.size(1), input.size(2));
        INDArray reachable = reach.kernel(kernel, REACHABLE_KERNEL);
        INDArray reachableGradient = reach.isWholeKernel() && Views.contiguous(kernelGradient)
                ? kernelGradient : scratch(REACHABLE_KERNEL_GRADIENT, kernel.dataType(), reachable.shape());
        Nd4j.exec(DynamicCustomOp.builder("depthwise_conv2d_bp")
                .addInputs(input, reachable, dOut)
                .addOutputs(inputGradient, reachableGradient)
                .addIntegerArguments(reach.rows(), reach.columns(), 1, 1, reach.rows() / 2, reach.columns() / 2, 1, 1,
                        EXPLICIT_PADDING, NHWC)
                .build());
        if (reachableGradient == kernelGradient) {
            return;
        }
        if (reach.isWholeKernel()) {
            kernelGradient.assign(reachableGradient);
        } else {
            kernelGradient.assign(0);
            reach.window(kernelGradient).assign(reachableGradient);
        }
    }

    @Override
    public void imagesToPatches(INDArray images, int k, INDArray patches) {
        long n = images.size(0);
        long channels = images.size(1);
        long bands = images.size(2) / k;
        long perBand = images.size(3) / k;
        INDArray whole = images.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, bands * k),
                NDArrayIndex.interval(0, perBand * k));
        INDArray byPatch = whole.reshape('c', n, channels, bands, k, perBand, k).permute(0, 2, 4, 3, 5, 1);
        patches.reshape('c', n, bands, perBand, k, k, channels).assign(byPatch);
    }

    @Override
    public void toPatches(INDArray input, int k, INDArray patches) {
        long n = input.size(0);
        long bands = input.size(1) / k;
        long perBand = input.size(2) / k;
        long channels = input.size(3);
        INDArray byPatch = coveredPart(input, k).reshape('c', n, bands, k, perBand, k, channels).permute(0, 1, 3, 2, 4, 5);
        patches.reshape('c', n, bands, perBand, k, k, channels).assign(byPatch);
    }

    @Override
    public void fromPatches(INDArray patches, int k, INDArray output) {
        long n = output.size(0);
        long bands = output.size(1) / k;
        long perBand = output.size(2) / k;
        long channels = output.size(3);
        INDArray byRow = patches.reshape('c', n, bands, perBand, k, k, channels).permute(0, 1, 3, 2, 4, 5);
        if (bands * k == output.size(1) && perBand * k == output.size(2)) {
            output.reshape('c', n, bands, k, perBand, k, channels).assign(byRow);
        } else {
            output.assign(0);
            coveredPart(output, k).assign(byRow.reshape('c', n, bands * k, perBand * k, channels));
        }
    }

    /** The rows and columns of an NHWC array that whole k×k patches cover, as a view. */
    private static INDArray coveredPart(INDArray nhwc, int k) {
        INDArrayIndex rows = NDArrayIndex.interval(0, nhwc.size(1) / k * k);
        INDArrayIndex columns = NDArrayIndex.interval(0, nhwc.size(2) / k * k);
        return nhwc.get(NDArrayIndex.all(), rows, columns, NDArrayIndex.all());
    }

    /** Without temporaries: the gradient's own array holds g², then the denominator, then the step. */
    @Override
    public void adamStep(AdamStep step, INDArray gradient, INDArray m, INDArray v) {
        long n = gradient.length();
        m.muli(step.beta1());
        Nd4j.getBlasWrapper().level1().axpy(n, 1 - step.beta1(), gradient, m);
        gradient.muli(gradient);
        v.muli(step.beta2());
        Nd4j.getBlasWrapper().level1().axpy(n, 1 - step.beta2(), gradient, v);
        Transforms.sqrt(gradient.assign(v), false).muli(1 / step.sqrtBiasCorrection2()).addi(step.epsilon());
        m.div(gradient, gradient).muli(step.stepSize());
    }

    @Override
    public void emaUpdate(INDArray average, INDArray weights, double decay) {
        average.muli(decay);
        Nd4j.getBlasWrapper().level1().axpy(average.length(), 1 - decay, weights, average);
    }

    private static INDArray scratch(String role, DataType dataType, long... shape) {
        return WorkingArrays.scratch().get(role, dataType, shape);
    }

    private static INDArray erf(INDArray x) {
        return Nd4j.exec(new Erf(x, x));
    }

    private static INDArray exp(INDArray x) {
        return Nd4j.exec(new Exp(x, x));
    }
}
