package org.convnext4j.model.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.math3.special.Erf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * GELU and its derivative in float against exact values (the Java kernels' erf and exp
 * approximations, libnd4j's erf and exp), over pre-activations from deep in the negative tail to
 * far past where GELU is the identity, for each kernel implementation.
 */
class GeluKernelTest {

    private static final int ROWS = 1601;   // three chunks of rows
    private static final int COLUMNS = 100;

    @ParameterizedTest
    @MethodSource("org.convnext4j.model.kernels.KernelImplementations#all")
    void floatForwardMatchesExactGelu(Kernels kernels) {
        INDArray bias = Nd4j.linspace(DataType.FLOAT, -0.5, 0.01, COLUMNS);
        INDArray hidden = Nd4j.createFromArray(preActivations()).castTo(DataType.FLOAT);
        INDArray before = hidden.dup();
        INDArray twiceActivated = hidden.like();
        kernels.gelu(hidden, bias, twiceActivated);

        assertEquals(before, hidden, "the pre-activation is kept as it was");
        double worst = 0;
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < COLUMNS; c++) {
                double h = hidden.getFloat(r, c) + bias.getFloat(c);
                double exact = h * Erf.erfc(-h / Math.sqrt(2));
                worst = Math.max(worst, Math.abs(twiceActivated.getFloat(r, c) - exact) / Math.max(1, Math.abs(h)));
            }
        }
        assertTrue(worst < 6e-7, "2·GELU off by " + worst + " relative");
    }

    @ParameterizedTest
    @MethodSource("org.convnext4j.model.kernels.KernelImplementations#all")
    void inPlaceForwardGivesTheSameActivation(Kernels kernels) {
        INDArray bias = Nd4j.linspace(DataType.FLOAT, -0.5, 0.01, COLUMNS);
        INDArray hidden = Nd4j.createFromArray(preActivations()).castTo(DataType.FLOAT);
        INDArray twiceActivated = hidden.like();
        kernels.gelu(hidden, bias, twiceActivated);
        kernels.gelu(hidden, bias, hidden);
        assertEquals(twiceActivated, hidden);
    }

    @ParameterizedTest
    @MethodSource("org.convnext4j.model.kernels.KernelImplementations#all")
    void floatBackwardMatchesTheExactDerivativeAndSumsTheBiasGradient(Kernels kernels) {
        INDArray bias = Nd4j.linspace(DataType.FLOAT, -0.5, 0.01, COLUMNS);
        INDArray hidden = Nd4j.createFromArray(preActivations()).castTo(DataType.FLOAT);
        INDArray halfDActivated = Nd4j.rand(DataType.FLOAT, ROWS, COLUMNS).subi(0.5);
        INDArray dHidden = hidden.like();
        INDArray biasGradient = Nd4j.create(DataType.FLOAT, COLUMNS);
        kernels.geluBackward(hidden, bias, halfDActivated, dHidden, biasGradient);

        double worst = 0;
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < COLUMNS; c++) {
                double h = hidden.getFloat(r, c) + bias.getFloat(c);
                double twiceDerivative = Erf.erfc(-h / Math.sqrt(2)) + h * Math.sqrt(2 / Math.PI) * Math.exp(-h * h / 2);
                worst = Math.max(worst, Math.abs(dHidden.getFloat(r, c) - halfDActivated.getFloat(r, c) * twiceDerivative));
            }
        }
        assertTrue(worst < 1e-6, "dL/dh off by " + worst);
        INDArray columnSums = dHidden.sum(0);
        for (int c = 0; c < COLUMNS; c++) {
            assertEquals(columnSums.getFloat(c), biasGradient.getFloat(c), 1e-5 * ROWS, "bias gradient, column " + c);
        }
    }

    @ParameterizedTest
    @MethodSource("org.convnext4j.model.kernels.KernelImplementations#all")
    void doubleKernelsAreExactToRounding(Kernels kernels) {
        double[][] values = preActivations();
        INDArray hidden = Nd4j.createFromArray(values);
        INDArray bias = Nd4j.zeros(DataType.DOUBLE, COLUMNS);
        INDArray twiceActivated = hidden.like();
        kernels.gelu(hidden, bias, twiceActivated);
        INDArray dHidden = hidden.like();
        kernels.geluBackward(hidden, bias, Nd4j.ones(DataType.DOUBLE, ROWS, COLUMNS), dHidden, bias.like());
        for (int r = 0; r < ROWS; r += 17) {
            for (int c = 0; c < COLUMNS; c += 3) {
                double h = values[r][c];
                double exact = Erf.erfc(-h / Math.sqrt(2));
                assertEquals(h * exact, twiceActivated.getDouble(r, c), 1e-14 * Math.max(1, Math.abs(h)));
                assertEquals(exact + h * Math.sqrt(2 / Math.PI) * Math.exp(-h * h / 2), dHidden.getDouble(r, c), 1e-14);
            }
        }
    }

    /** Evenly spaced values from −12 to 12 (zero included), in a (rows, columns) matrix. */
    private static double[][] preActivations() {
        double[][] values = new double[ROWS][COLUMNS];
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < COLUMNS; c++) {
                values[r][c] = -12 + 24.0 * (r * COLUMNS + c) / (ROWS * COLUMNS - 1);
            }
        }
        values[ROWS / 2][COLUMNS / 2] = 0;
        return values;
    }
}
