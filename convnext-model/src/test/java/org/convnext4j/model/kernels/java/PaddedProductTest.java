package org.convnext4j.model.kernels.java;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.convnext4j.model.kernels.Backend;
import org.convnext4j.model.kernels.KernelChoice;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class PaddedProductTest {

    @Test
    void widensBOnlyForProductsWithFewRowsAgainstAliasedRowsOfB() {
        assertTrue(PaddedProduct.applies(196, 3072, 3072 * 4), "ConvNeXt-T's last fc1, split batch of 8");
        assertTrue(PaddedProduct.applies(256, 2048, 2048 * 4));
        assertFalse(PaddedProduct.applies(288, 3072, 3072 * 4), "packed by oneDNN already");
        assertFalse(PaddedProduct.applies(392, 3072, 3072 * 4), "ConvNeXt-T's last fc1 in training at batch 8: packed");
        assertFalse(PaddedProduct.applies(196, 1536, 1536 * 4), "rows 6 KiB apart do not alias");
        assertFalse(PaddedProduct.applies(16, 3072, 3072 * 4), "too few rows to pay for copying b");
    }

    @Test
    void refusesTransposedDoubleAndViewOperands() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 196, 8);
        INDArray b = Nd4j.rand(DataType.FLOAT, 8, 1024);
        INDArray c = Nd4j.create(DataType.FLOAT, 196, 1024);
        assertTrue(PaddedProduct.applies(a, b, c, false, false));
        assertFalse(PaddedProduct.applies(a, b, c, true, false));
        assertFalse(PaddedProduct.applies(a.castTo(DataType.DOUBLE), b.castTo(DataType.DOUBLE), c.castTo(DataType.DOUBLE), false, false));
        assertFalse(PaddedProduct.applies(a, Nd4j.rand(DataType.FLOAT, 8, 2048).get(
                NDArrayIndex.all(), NDArrayIndex.interval(0, 1024)), c, false, false));
    }

    @Test
    void theProductThroughAWidenedBIsTheProduct() {
        Backend backend = KernelChoice.backend();
        JavaKernels widening = new JavaKernels(backend, false, false);
        INDArray a = Nd4j.rand(DataType.FLOAT, 196, 24).subi(0.5);
        INDArray b = Nd4j.rand(DataType.FLOAT, 24, 1024).subi(0.5);
        INDArray c = Nd4j.zeros(DataType.FLOAT, 196, 1024).addi(9);
        widening.matmul(a, b, c, false, false, 0.5);

        INDArray expected = a.castTo(DataType.DOUBLE).mmul(b.castTo(DataType.DOUBLE)).muli(0.5);
        double worst = c.castTo(DataType.DOUBLE).sub(expected).amaxNumber().doubleValue();
        assertTrue(worst < 1e-5, "off by " + worst);
        // again with fewer rows and another b, in the same working arrays: nothing of the first call leaks in
        INDArray fewer = a.get(NDArrayIndex.interval(0, 180), NDArrayIndex.all()).dup();
        INDArray b2 = Nd4j.rand(DataType.FLOAT, 24, 1024).subi(0.5);
        INDArray c2 = Nd4j.create(DataType.FLOAT, 180, 1024);
        widening.matmul(fewer, b2, c2, false, false, 1.0);
        double worst2 = c2.castTo(DataType.DOUBLE).sub(fewer.castTo(DataType.DOUBLE).mmul(b2.castTo(DataType.DOUBLE))).amaxNumber().doubleValue();
        assertTrue(worst2 < 1e-5, "off by " + worst2);
    }
}
