package org.convnext4j.model.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Three Adam steps on views of one state array (as DL4J's updater hands them over), and an EMA
 * update, in float against the formulas in double, for each kernel implementation. (Two steps
 * against PyTorch itself: {@code AdamWParityTest} in the training module.)
 */
class AdamAndEmaKernelsTest {

    private static final int LENGTH = 70_001;   // several Java chunks

    @ParameterizedTest
    @MethodSource("org.convnext4j.model.kernels.KernelImplementations#all")
    void adamStepsMatchTorchsFormula(Kernels kernels) {
        Nd4j.getRandom().setSeed(31);
        INDArray state = Nd4j.zeros(DataType.FLOAT, 2 * LENGTH);
        INDArray m = state.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, LENGTH));
        INDArray v = state.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(LENGTH, 2 * LENGTH));
        double[] expectedM = new double[LENGTH];
        double[] expectedV = new double[LENGTH];
        double lr = 4e-3;
        double beta1 = 0.9;
        double beta2 = 0.999;
        double eps = 1e-8;
        for (int t = 1; t <= 3; t++) {
            // gradients from 1e-9 to 10: PyTorch's ε placement matters at the small end
            INDArray gradient = Nd4j.randn(DataType.FLOAT, LENGTH).muli(exponentials(t));
            double[] g = gradient.toDoubleVector();
            AdamStep step = AdamStep.of(lr, beta1, beta2, eps, t);
            kernels.adamStep(step, gradient, m, v);
            double worst = 0;
            for (int i = 0; i < LENGTH; i++) {
                expectedM[i] = beta1 * expectedM[i] + (1 - beta1) * g[i];
                expectedV[i] = beta2 * expectedV[i] + (1 - beta2) * g[i] * g[i];
                double mHat = expectedM[i] / (1 - Math.pow(beta1, t));
                double vHat = expectedV[i] / (1 - Math.pow(beta2, t));
                double expectedStep = lr * mHat / (Math.sqrt(vHat) + eps);
                worst = Math.max(worst, Math.abs(expectedStep - gradient.getDouble(i)) / lr);
            }
            assertTrue(worst < 1e-5, kernels.name() + " step " + t + ": max |diff| / lr " + worst);
        }
    }

    @ParameterizedTest
    @MethodSource("org.convnext4j.model.kernels.KernelImplementations#all")
    void emaUpdate(Kernels kernels) {
        INDArray average = Nd4j.rand(DataType.FLOAT, LENGTH);
        INDArray weights = Nd4j.rand(DataType.FLOAT, LENGTH);
        INDArray expected = average.castTo(DataType.DOUBLE).muli(0.99).addi(weights.castTo(DataType.DOUBLE).muli(0.01));
        kernels.emaUpdate(average, weights, 0.99);
        double worst = expected.subi(average.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(worst < 1e-6, kernels.name() + ": max |diff| " + worst);
    }

    /** Per element 10^u with u uniform in [−9, 1], different for each step. */
    private static INDArray exponentials(int step) {
        Nd4j.getRandom().setSeed(100 + step);
        INDArray exponents = Nd4j.rand(DataType.DOUBLE, LENGTH).muli(10).subi(9).muli(Math.log(10));
        return org.nd4j.linalg.ops.transforms.Transforms.exp(exponents, false).castTo(DataType.FLOAT);
    }
}
