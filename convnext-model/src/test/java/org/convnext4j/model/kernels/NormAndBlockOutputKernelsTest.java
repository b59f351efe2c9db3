package org.convnext4j.model.kernels;

import static org.convnext4j.testsupport.ArrayAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * LayerNorm and the block output in float, over several chunks of rows (the layer tests use one),
 * against the same formulas written as whole-array ND4J ops in double precision, for each kernel
 * implementation.
 */
class NormAndBlockOutputKernelsTest {

    /** Max |difference| allowed: float kernels against double-precision formulas, relative above 1. */
    private static final double TOLERANCE = 2e-6;

    private static final int ROWS = 3001;      // three chunks of rows at 48 channels
    private static final int CHANNELS = 48;
    private static final int BLOCK_ROWS = 3003;   // 429 samples of 7 rows, three chunks

    @ParameterizedTest
    @MethodSource("org.convnext4j.model.kernels.KernelImplementations#all")
    void layerNormForwardAndBackward(Kernels kernels) {
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.randn(DataType.FLOAT, ROWS, CHANNELS).muli(2).addi(1);
        INDArray weight = Nd4j.randn(DataType.FLOAT, CHANNELS);
        INDArray bias = Nd4j.randn(DataType.FLOAT, CHANNELS);
        INDArray dy = Nd4j.randn(DataType.FLOAT, ROWS, CHANNELS);
        LayerNormSaved saved = new LayerNormSaved(x.like(), Nd4j.create(DataType.FLOAT, ROWS));
        INDArray out = x.like();
        kernels.layerNorm(x, null, weight, bias, out, saved);
        INDArray dx = x.like();
        INDArray weightGradient = weight.like();
        INDArray biasGradient = bias.like();
        INDArray dxColumnSums = bias.like();
        kernels.layerNormBackward(dy, saved, weight, weightGradient, biasGradient, dx, dxColumnSums);

        INDArray xd = x.castTo(DataType.DOUBLE);
        INDArray g = weight.castTo(DataType.DOUBLE);
        INDArray dyd = dy.castTo(DataType.DOUBLE);
        INDArray reciprocalStd = Nd4j.math().sqrt(xd.var(false, 1).addi(Kernels.LAYER_NORM_EPS)).rdivi(1.0).reshape(ROWS, 1);
        INDArray normalized = xd.subColumnVector(xd.mean(1).reshape(ROWS, 1)).muliColumnVector(reciprocalStd);
        assertClose(normalized.mulRowVector(g).addRowVector(bias.castTo(DataType.DOUBLE)), out, TOLERANCE, "output");
        INDArray gdy = dyd.mulRowVector(g);
        INDArray expectedDx = gdy.subColumnVector(gdy.mean(1).reshape(ROWS, 1))
                .subi(normalized.mulColumnVector(gdy.mul(normalized).mean(1).reshape(ROWS, 1)))
                .muliColumnVector(reciprocalStd);
        assertClose(expectedDx, dx, TOLERANCE, "input gradient");
        assertClose(expectedDx.sum(0), dxColumnSums, TOLERANCE, "input gradient column sums");
        assertClose(dyd.mul(normalized).sum(0), weightGradient, TOLERANCE, "weight gradient");
        assertClose(dyd.sum(0), biasGradient, TOLERANCE, "bias gradient");
    }

    /**
     * An input bias is added to every row first; without {@code saved} (inference) the output is
     * the same; the output may be the input and the input gradient the output gradient.
     */
    @ParameterizedTest
    @MethodSource("org.convnext4j.model.kernels.KernelImplementations#all")
    void layerNormWithInputBiasInferenceAndInPlace(Kernels kernels) {
        Nd4j.getRandom().setSeed(13);
        INDArray x = Nd4j.randn(DataType.FLOAT, ROWS, CHANNELS);
        INDArray inputBias = Nd4j.randn(DataType.FLOAT, CHANNELS);
        INDArray weight = Nd4j.randn(DataType.FLOAT, CHANNELS);
        INDArray bias = Nd4j.randn(DataType.FLOAT, CHANNELS);
        INDArray dy = Nd4j.randn(DataType.FLOAT, ROWS, CHANNELS);
        LayerNormSaved saved = new LayerNormSaved(x.like(), Nd4j.create(DataType.FLOAT, ROWS));
        INDArray expected = x.like();
        kernels.layerNorm(x.addRowVector(inputBias), null, weight, bias, expected, saved);
        INDArray expectedDx = x.like();
        INDArray sums = bias.like();
        kernels.layerNormBackward(dy, saved, weight, weight.like(), bias.like(), expectedDx, sums);

        INDArray withInputBias = x.like();
        kernels.layerNorm(x, inputBias, weight, bias, withInputBias, null);
        assertClose(expected.castTo(DataType.DOUBLE), withInputBias, TOLERANCE, "input bias added first, inference");
        INDArray inPlace = x.dup();
        kernels.layerNorm(inPlace, inputBias, weight, bias, inPlace, saved);
        assertClose(expected.castTo(DataType.DOUBLE), inPlace, TOLERANCE, "output written over the input");
        INDArray dxInPlace = dy.dup();
        kernels.layerNormBackward(dxInPlace, saved, weight, weight.like(), bias.like(), dxInPlace, null);
        assertClose(expectedDx.castTo(DataType.DOUBLE), dxInPlace, TOLERANCE, "input gradient written over the output gradient");
    }

    @ParameterizedTest
    @MethodSource("org.convnext4j.model.kernels.KernelImplementations#all")
    void blockOutputWithLayerScaleAndDropPath(Kernels kernels) {
        assertBlockOutputMatchesFormulas(kernels, true, true);
    }

    @ParameterizedTest
    @MethodSource("org.convnext4j.model.kernels.KernelImplementations#all")
    void blockOutputWithoutEither(Kernels kernels) {
        assertBlockOutputMatchesFormulas(kernels, false, false);
    }

    /** out = x + s·γ·(m + b) and its gradients, s per sample of 7 rows (samples cross chunk boundaries). */
    private static void assertBlockOutputMatchesFormulas(Kernels kernels, boolean withGamma, boolean withDropPath) {
        Nd4j.getRandom().setSeed(12);
        INDArray x = Nd4j.randn(DataType.FLOAT, BLOCK_ROWS, CHANNELS);
        INDArray m = Nd4j.randn(DataType.FLOAT, BLOCK_ROWS, CHANNELS);
        INDArray bias = Nd4j.randn(DataType.FLOAT, CHANNELS);
        INDArray gamma = withGamma ? Nd4j.randn(DataType.FLOAT, CHANNELS) : null;
        INDArray dOut = Nd4j.randn(DataType.FLOAT, BLOCK_ROWS, CHANNELS);
        int rowsPerSample = 7;
        int samples = BLOCK_ROWS / rowsPerSample;
        DropPath dropPath = withDropPath ? DropPath.sample(0.5, samples, rowsPerSample, DataType.FLOAT, new java.util.SplittableRandom(12)) : null;
        INDArray out = m.like();
        kernels.blockOutput(x, m, bias, gamma, dropPath, out);
        INDArray dM = m.like();
        INDArray gammaGradient = withGamma ? gamma.like() : null;
        INDArray biasGradient = bias.like();
        kernels.blockOutputBackward(dOut, m, bias, gamma, dropPath, dM, gammaGradient, biasGradient);

        INDArray s = Nd4j.ones(DataType.DOUBLE, BLOCK_ROWS, 1);
        if (withDropPath) {
            for (int row = 0; row < BLOCK_ROWS; row++) {
                s.putScalar(row, 0, dropPath.factors().getDouble(row / rowsPerSample));
            }
            assertTrue(s.minNumber().doubleValue() == 0 && s.maxNumber().doubleValue() == 2, "some samples dropped, some kept");
        }
        INDArray g = withGamma ? gamma.castTo(DataType.DOUBLE) : Nd4j.ones(DataType.DOUBLE, CHANNELS);
        INDArray biased = m.castTo(DataType.DOUBLE).addRowVector(bias.castTo(DataType.DOUBLE));
        INDArray dBranch = dOut.castTo(DataType.DOUBLE).mulColumnVector(s);
        assertClose(x.castTo(DataType.DOUBLE).add(biased.mulRowVector(g).mulColumnVector(s)), out, TOLERANCE, "output");
        assertClose(dBranch.mulRowVector(g), dM, TOLERANCE, "dL/dm");
        if (withGamma) {
            assertClose(dBranch.mul(biased).sum(0), gammaGradient, TOLERANCE, "gamma gradient");
        }
        assertClose(dBranch.mulRowVector(g).sum(0), biasGradient, TOLERANCE, "bias gradient");
    }
}
