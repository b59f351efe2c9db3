package org.convnext4j.model.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * LayerNorm's and the block output's float row kernels over several chunks of rows (the layer tests use
 * one), against the same formulas written as whole-array ND4J ops in double precision.
 */
class RowKernelsTest {

    private static final int ROWS = 3001;      // three chunks of rows at 48 channels
    private static final int CHANNELS = 48;

    @Test
    void layerNormForwardAndBackward() {
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.randn(DataType.FLOAT, ROWS, CHANNELS).muli(2).addi(1);
        INDArray weight = Nd4j.randn(DataType.FLOAT, CHANNELS);
        INDArray bias = Nd4j.randn(DataType.FLOAT, CHANNELS);
        INDArray dy = Nd4j.randn(DataType.FLOAT, ROWS, CHANNELS);
        RowLayerNorm norm = new RowLayerNorm();
        INDArray out = x.like();
        norm.forward(x, weight, bias, out, true);
        INDArray dx = x.like();
        INDArray weightGradient = weight.like();
        INDArray biasGradient = bias.like();
        INDArray dxColumnSums = bias.like();
        norm.backward(dy, weight, weightGradient, biasGradient, dx, dxColumnSums);

        INDArray xd = x.castTo(DataType.DOUBLE);
        INDArray g = weight.castTo(DataType.DOUBLE);
        INDArray dyd = dy.castTo(DataType.DOUBLE);
        INDArray reciprocalStd = Nd4j.math().sqrt(xd.var(false, 1).addi(ConvNeXtOps.LAYER_NORM_EPS)).rdivi(1.0).reshape(ROWS, 1);
        INDArray normalized = xd.subColumnVector(xd.mean(1).reshape(ROWS, 1)).muliColumnVector(reciprocalStd);
        assertClose(normalized.mulRowVector(g).addRowVector(bias.castTo(DataType.DOUBLE)), out, "output");
        INDArray gdy = dyd.mulRowVector(g);
        INDArray expectedDx = gdy.subColumnVector(gdy.mean(1).reshape(ROWS, 1))
                .subi(normalized.mulColumnVector(gdy.mul(normalized).mean(1).reshape(ROWS, 1)))
                .muliColumnVector(reciprocalStd);
        assertClose(expectedDx, dx, "input gradient");
        assertClose(expectedDx.sum(0), dxColumnSums, "input gradient column sums");
        assertClose(dyd.mul(normalized).sum(0), weightGradient, "weight gradient");
        assertClose(dyd.sum(0), biasGradient, "bias gradient");
    }

    @Test
    void blockOutputWithLayerScaleAndDropPath() {
        assertBlockOutputMatchesFormulas(true, true);
    }

    @Test
    void blockOutputWithoutEither() {
        assertBlockOutputMatchesFormulas(false, false);
    }

    /** out = x + s·γ·(m + b) and its gradients, s per sample of 7 rows (samples cross chunk boundaries). */
    private static void assertBlockOutputMatchesFormulas(boolean withGamma, boolean withDropPath) {
        Nd4j.getRandom().setSeed(12);
        INDArray x = Nd4j.randn(DataType.FLOAT, ROWS, CHANNELS);
        INDArray m = Nd4j.randn(DataType.FLOAT, ROWS, CHANNELS);
        INDArray bias = Nd4j.randn(DataType.FLOAT, CHANNELS);
        INDArray gamma = withGamma ? Nd4j.randn(DataType.FLOAT, CHANNELS) : null;
        INDArray dOut = Nd4j.randn(DataType.FLOAT, ROWS, CHANNELS);
        int rowsPerSample = 7;
        int samples = (ROWS + rowsPerSample - 1) / rowsPerSample;
        DropPath dropPath = withDropPath ? DropPath.sample(0.5, samples, rowsPerSample) : null;
        INDArray out = m.like();
        BlockOutput.forward(x, m, bias, gamma, dropPath, out);
        INDArray dM = m.like();
        INDArray gammaGradient = withGamma ? gamma.like() : null;
        INDArray biasGradient = bias.like();
        BlockOutput.backward(dOut, m, bias, gamma, dropPath, dM, gammaGradient, biasGradient);

        INDArray s = Nd4j.ones(DataType.DOUBLE, ROWS, 1);
        if (withDropPath) {
            for (int row = 0; row < ROWS; row++) {
                s.putScalar(row, 0, dropPath.factor(row));
            }
            assertTrue(s.minNumber().doubleValue() == 0 && s.maxNumber().doubleValue() == 2, "some samples dropped, some kept");
        }
        INDArray g = withGamma ? gamma.castTo(DataType.DOUBLE) : Nd4j.ones(DataType.DOUBLE, CHANNELS);
        INDArray biased = m.castTo(DataType.DOUBLE).addRowVector(bias.castTo(DataType.DOUBLE));
        INDArray dBranch = dOut.castTo(DataType.DOUBLE).mulColumnVector(s);
        assertClose(x.castTo(DataType.DOUBLE).add(biased.mulRowVector(g).mulColumnVector(s)), out, "output");
        assertClose(dBranch.mulRowVector(g), dM, "dL/dm");
        if (withGamma) {
            assertClose(dBranch.mul(biased).sum(0), gammaGradient, "gamma gradient");
        }
        assertClose(dBranch.mulRowVector(g).sum(0), biasGradient, "bias gradient");
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double scale = Math.max(1, expected.amaxNumber().doubleValue());
        double worst = expected.sub(actual.castTo(DataType.DOUBLE).reshape(expected.shape())).amaxNumber().doubleValue();
        assertTrue(worst <= 2e-6 * scale, what + ": max |diff| " + worst + " for values up to " + scale);
    }
}
