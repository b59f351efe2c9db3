package org.convnext4j.model.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class ViewsTest {

    @Test
    void aReshapedViewEqualsNd4jsReshapeAndSharesTheMemory() {
        INDArray images = Nd4j.arange(2 * 3 * 4 * 5).castTo(DataType.FLOAT).reshape(2, 3, 4, 5);
        INDArray rows = Views.reshaped(images, 24, 5);
        assertEquals(images.reshape(24, 5), rows);
        assertArrayEquals(new long[] {5, 1}, rows.stride());

        rows.putScalar(7, 3, -1);
        assertEquals(-1f, images.getFloat(0, 1, 3, 3));
    }

    @Test
    void aReshapedViewOfARangeStartsWhereTheRangeDoes() {
        INDArray batch = Nd4j.arange(4 * 6).castTo(DataType.DOUBLE).reshape(4, 2, 3);
        INDArray lastTwo = batch.get(NDArrayIndex.interval(2, 4));
        INDArray rows = Views.reshaped(lastTwo, 4, 3);
        assertEquals(lastTwo.reshape(4, 3), rows);
        rows.putScalar(0, 0, -5);
        assertEquals(-5.0, batch.getDouble(2, 0, 0));
        assertEquals(11.0, batch.getDouble(1, 1, 2), "nothing before the range is touched");
    }

    @Test
    void firstAxisRangesEqualNd4jsIntervalsAndShareTheMemory() {
        INDArray images = Nd4j.arange(5 * 2 * 3).castTo(DataType.FLOAT).reshape(5, 2, 3);
        for (long[] range : new long[][] {{0, 5}, {1, 3}, {4, 5}}) {
            assertEquals(images.get(NDArrayIndex.interval(range[0], range[1])), Views.firstAxisRange(images, range[0], range[1]),
                    "rows " + range[0] + " to " + range[1]);
        }
        Views.firstAxisRange(images, 3, 5).putScalar(1, 1, 2, 99);
        assertEquals(99f, images.getFloat(4, 1, 2));
        // a range of a range
        INDArray inner = Views.firstAxisRange(Views.firstAxisRange(images, 1, 5), 1, 3);
        assertEquals(images.get(NDArrayIndex.interval(2, 4)), inner);
    }

    @Test
    void rangesOfOtherLayoutsTakeNd4jsGeneralPath() {
        INDArray matrix = Nd4j.arange(12).castTo(DataType.FLOAT).reshape(3, 4);
        INDArray transposed = matrix.transpose();                                            // 'f' order
        assertEquals(transposed.get(NDArrayIndex.interval(1, 3)), Views.firstAxisRange(transposed, 1, 3));
    }

    @Test
    void refusesToReshapeWhatNoViewCanShow() {
        // ND4J's reshape would copy these, and what a layer wrote through the copy would be lost.
        INDArray matrix = Nd4j.arange(12).castTo(DataType.FLOAT).reshape(3, 4);
        INDArray columns = matrix.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3));   // not contiguous
        IllegalStateException failure = assertThrows(IllegalStateException.class, () -> Views.reshaped(columns, 6));
        assertTrue(failure.getMessage().contains("[3, 2]"), failure.getMessage());
        assertThrows(IllegalStateException.class, () -> Views.reshaped(matrix.transpose(), 12));   // 'f' order
    }

    @Test
    void refusesShapesOfAnotherLengthAndRangesOutsideTheAxis() {
        INDArray matrix = Nd4j.zeros(DataType.FLOAT, 3, 4);
        assertThrows(IllegalArgumentException.class, () -> Views.reshaped(matrix, 5, 2));
        assertThrows(IllegalArgumentException.class, () -> Views.firstAxisRange(matrix, 2, 4));
        assertThrows(IllegalArgumentException.class, () -> Views.firstAxisRange(matrix, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> Views.firstAxisRange(matrix, -1, 1));
    }
}
