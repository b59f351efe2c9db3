package org.convnext4j.model.kernels.java;

import static org.convnext4j.model.kernels.java.SplitProduct.Split.INNER;
import static org.convnext4j.model.kernels.java.SplitProduct.Split.NONE;
import static org.convnext4j.model.kernels.java.SplitProduct.Split.ROWS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.convnext4j.model.kernels.KernelChoice;
import org.convnext4j.model.kernels.nd4j.Nd4jKernels;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SplitProductTest {

    @Test
    void splitsLargeProductsWithFewColumnsByRowsAndWeightGradientsByTheInnerDimension() {
        // ConvNeXt-T at batch 8: first stage 25088 rows of 96 channels (384 hidden), second 6272 of 192.
        assertEquals(ROWS, SplitProduct.choose(25088, 384, 96, false, false), "first stage fc2");
        assertEquals(ROWS, SplitProduct.choose(25088, 384, 96, false, true), "first stage fc1 input gradient");
        assertEquals(ROWS, SplitProduct.choose(6272, 768, 192, false, false), "second stage fc2");
        assertEquals(INNER, SplitProduct.choose(384, 25088, 96, true, false), "first stage fc2 weight gradient");
        assertEquals(INNER, SplitProduct.choose(96, 25088, 384, true, false), "first stage fc1 weight gradient");
        assertEquals(NONE, SplitProduct.choose(25088, 96, 384, false, false), "first stage fc1: many columns");
        assertEquals(NONE, SplitProduct.choose(768, 6272, 192, true, false), "inner dimension not long enough");
        assertEquals(NONE, SplitProduct.choose(1568, 1536, 384, false, false), "third stage: many columns");
        assertEquals(NONE, SplitProduct.choose(16384, 160, 40, false, false), "atto's first stage: too little work");
        assertEquals(NONE, SplitProduct.choose(25088, 384, 96, true, true), "both transposed");
    }

    @Test
    void refusesDoubleAndViewOperands() {
        INDArray a = Nd4j.create(DataType.FLOAT, 25088, 384);
        INDArray b = Nd4j.create(DataType.FLOAT, 384, 96);
        INDArray c = Nd4j.create(DataType.FLOAT, 25088, 96);
        assertEquals(KernelThreads.count() > 1 ? ROWS : NONE, SplitProduct.choose(a, b, c, false, false));
        assertEquals(NONE, SplitProduct.choose(a.castTo(DataType.DOUBLE), b.castTo(DataType.DOUBLE), c.castTo(DataType.DOUBLE), false, false));
        assertEquals(NONE, SplitProduct.choose(a, Nd4j.create(DataType.FLOAT, 384, 192).get(
                org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 96)), c, false, false));
    }

    @Test
    void theProductSplitByRowsIsTheProduct() {
        Nd4j.getRandom().setSeed(5);
        INDArray a = Nd4j.rand(DataType.FLOAT, 101, 24).subi(0.5);
        INDArray b = Nd4j.rand(DataType.FLOAT, 24, 10).subi(0.5);
        INDArray bTransposed = b.transpose().dup('c');
        INDArray c = Nd4j.zeros(DataType.FLOAT, 101, 10).addi(9);
        SplitProduct.multiply(new Nd4jKernels(), a, b, c, false, false, 0.5, ROWS);
        assertClose(a.castTo(DataType.DOUBLE).mmul(b.castTo(DataType.DOUBLE)).muli(0.5), c);
        INDArray c2 = Nd4j.zeros(DataType.FLOAT, 101, 10).addi(9);
        SplitProduct.multiply(new Nd4jKernels(), a, bTransposed, c2, false, true, 0.5, ROWS);
        assertClose(a.castTo(DataType.DOUBLE).mmul(b.castTo(DataType.DOUBLE)).muli(0.5), c2);
    }

    @Test
    void theProductSplitByTheInnerDimensionIsTheProduct() {
        Nd4j.getRandom().setSeed(6);
        INDArray a = Nd4j.rand(DataType.FLOAT, 203, 7).subi(0.5);
        INDArray b = Nd4j.rand(DataType.FLOAT, 203, 12).subi(0.5);
        INDArray expected = a.castTo(DataType.DOUBLE).transpose().mmul(b.castTo(DataType.DOUBLE)).muli(2.0);
        for (int call = 0; call < 2; call++) {   // the second reuses the partial results' working array
            INDArray c = Nd4j.zeros(DataType.FLOAT, 7, 12).addi(9);
            SplitProduct.multiply(new Nd4jKernels(), a, b, c, true, false, 2.0, INNER);
            assertClose(expected, c);
        }
    }

    @Test
    void theKernelsSplitConvNeXtTsFirstStageProductsWithoutAvx512() {
        Nd4j.getRandom().setSeed(7);
        INDArray hidden = Nd4j.rand(DataType.FLOAT, 25088, 384).subi(0.5);
        INDArray weight = Nd4j.rand(DataType.FLOAT, 384, 96).subi(0.5);
        INDArray split = Nd4j.create(DataType.FLOAT, 25088, 96);
        INDArray whole = split.ulike();
        new JavaKernels(KernelChoice.backend(), false, false).matmul(hidden, weight, split, false, false, 1.0);
        new Nd4jKernels().matmul(hidden, weight, whole, false, false, 1.0);
        assertEquals(0.0, split.sub(whole).amaxNumber().doubleValue(), 1e-4);
        INDArray gradient = Nd4j.create(DataType.FLOAT, 384, 96);
        INDArray wholeGradient = gradient.ulike();
        new JavaKernels(KernelChoice.backend(), false, false).matmul(hidden, split, gradient, true, false, 1.0);
        new Nd4jKernels().matmul(hidden, split, wholeGradient, true, false, 1.0);
        double scale = wholeGradient.amaxNumber().doubleValue();
        assertEquals(0.0, gradient.sub(wholeGradient).amaxNumber().doubleValue() / scale, 1e-5);
    }

    private static void assertClose(INDArray expected, INDArray actual) {
        double worst = actual.castTo(DataType.DOUBLE).sub(expected).amaxNumber().doubleValue();
        assertTrue(worst < 1e-5, "off by " + worst);
    }
}
