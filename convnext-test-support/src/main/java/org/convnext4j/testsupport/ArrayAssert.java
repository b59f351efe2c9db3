package org.convnext4j.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One comparison of arrays for the numerical tests. The tolerance is the caller's (a float kernel against a
 * double reference needs another than two double computations), and scales with the values: the bound is
 * {@code tolerance · max(floor, max|expected|)}, absolute for values below {@code floor} and relative above.
 */
public final class ArrayAssert {

    private ArrayAssert() {
    }

    /** As {@link #assertClose(INDArray, INDArray, double, double, String)} with floor 1. */
    public static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        assertClose(expected, actual, tolerance, 1.0, what);
    }

    /**
     * {@code actual} (any data type, any shape of the same length) equals {@code expected} within
     * {@code tolerance · max(floor, max|expected|)}, and is finite.
     */
    public static void assertClose(INDArray expected, INDArray actual, double tolerance, double floor, String what) {
        assertEquals(expected.length(), actual.length(), what + ": element count");
        INDArray e = expected.castTo(DataType.DOUBLE);
        INDArray a = actual.castTo(DataType.DOUBLE).reshape(expected.shape());
        assertTrue(Double.isFinite(a.sumNumber().doubleValue()), what + " is finite");
        double scale = Math.max(floor, e.amaxNumber().doubleValue());
        double worst = e.sub(a).amaxNumber().doubleValue();
        assertTrue(worst <= tolerance * scale, what + ": max |diff| " + worst + " for values up to " + scale
                + ", allowed " + tolerance * scale);
    }

    /** As {@link #assertClose(INDArray, INDArray, double, String)}, the expected values from a plain loop. */
    public static void assertClose(double[] expected, INDArray actual, double tolerance, String what) {
        assertClose(Nd4j.createFromArray(expected), actual, tolerance, what);
    }
}
