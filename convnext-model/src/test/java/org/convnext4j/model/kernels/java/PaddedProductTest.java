package org.convnext4j.model.kernels.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void padsOnlyFewRowsAgainstAliasedRowsOfB() {
        assertEquals(288, PaddedProduct.paddedRows(196, 3072, 3072 * 4), "ConvNeXt-T's last fc1, split batch of 8");
        assertEquals(302, PaddedProduct.paddedRows(256, 2048, 2048 * 4));
        assertEquals(0, PaddedProduct.paddedRows(288, 3072, 3072 * 4), "packed by oneDNN already");
        assertEquals(0, PaddedProduct.paddedRows(196, 1536, 1536 * 4), "rows 6 KiB apart do not alias");
        assertEquals(0, PaddedProduct.paddedRows(100, 3072, 3072 * 4), "padding would triple the work");
        assertEquals(0, PaddedProduct.paddedRows(196, 256, 1024 * 4), "no row count makes oneDNN pack 256 columns");
    }

    @Test
    void refusesTransposedDoubleAndViewOperands() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 196, 8);
        INDArray b = Nd4j.rand(DataType.FLOAT, 8, 1024);
        INDArray c = Nd4j.create(DataType.FLOAT, 196, 1024);
        assertEquals(355, PaddedProduct.paddedRows(a, b, c, false, false));
        assertEquals(0, PaddedProduct.paddedRows(a, b, c, true, false));
        assertEquals(0, PaddedProduct.paddedRows(a.castTo(DataType.DOUBLE), b.castTo(DataType.DOUBLE), c.castTo(DataType.DOUBLE), false, false));
        assertEquals(0, PaddedProduct.paddedRows(a, Nd4j.rand(DataType.FLOAT, 8, 2048).get(
                NDArrayIndex.all(), NDArrayIndex.interval(0, 1024)), c, false, false));
    }

    @Test
    void thePaddedProductIsTheProduct() {
        Backend backend = KernelChoice.backend();
        JavaKernels padded = new JavaKernels(backend, false, false);
        INDArray a = Nd4j.rand(DataType.FLOAT, 196, 24).subi(0.5);
        INDArray b = Nd4j.rand(DataType.FLOAT, 24, 1024).subi(0.5);
        INDArray c = Nd4j.zeros(DataType.FLOAT, 196, 1024).addi(9);
        padded.matmul(a, b, c, false, false, 0.5);

        INDArray expected = a.castTo(DataType.DOUBLE).mmul(b.castTo(DataType.DOUBLE)).muli(0.5);
        double worst = c.castTo(DataType.DOUBLE).sub(expected).amaxNumber().doubleValue();
        assertTrue(worst < 1e-5, "off by " + worst);
        // twice in a row, the second with fewer rows: the padding rows of the working array stay zero
        INDArray fewer = a.get(NDArrayIndex.interval(0, 180), NDArrayIndex.all()).dup();
        INDArray c2 = Nd4j.create(DataType.FLOAT, 180, 1024);
        padded.matmul(fewer, b, c2, false, false, 0.5);
        assertTrue(c2.equalsWithEps(c.get(NDArrayIndex.interval(0, 180), NDArrayIndex.all()), 1e-5));
    }
}
