package org.convnext4j.model.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * LayerNorm and layer scale's float row kernels over several chunks of rows (the layer tests use
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
    void layerScaleForwardAndBackward() {
        Nd4j.getRandom().setSeed(12);
        INDArray m = Nd4j.randn(DataType.FLOAT, ROWS, CHANNELS);
        INDArray bias = Nd4j.randn(DataType.FLOAT, CHANNELS);
        INDArray gamma = Nd4j.randn(DataType.FLOAT, CHANNELS);
        INDArray dOut = Nd4j.randn(DataType.FLOAT, ROWS, CHANNELS);
        INDArray out = m.like();
        LayerScale.forward(m, bias, gamma, out);
        INDArray dM = m.like();
        INDArray gammaGradient = gamma.like();
        INDArray biasGradient = bias.like();
        LayerScale.backward(dOut, m, bias, gamma, dM, gammaGradient, biasGradient);

        INDArray biased = m.castTo(DataType.DOUBLE).addRowVector(bias.castTo(DataType.DOUBLE));
        INDArray g = gamma.castTo(DataType.DOUBLE);
        INDArray dOutD = dOut.castTo(DataType.DOUBLE);
        assertClose(biased.mulRowVector(g), out, "output");
        assertClose(dOutD.mulRowVector(g), dM, "dL/dm");
        assertClose(dOutD.mul(biased).sum(0), gammaGradient, "gamma gradient");
        assertClose(dOutD.mulRowVector(g).sum(0), biasGradient, "bias gradient");
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double scale = Math.max(1, expected.amaxNumber().doubleValue());
        double worst = expected.sub(actual.castTo(DataType.DOUBLE).reshape(expected.shape())).amaxNumber().doubleValue();
        assertTrue(worst <= 2e-6 * scale, what + ": max |diff| " + worst + " for values up to " + scale);
    }
}
