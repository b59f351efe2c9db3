package org.convnext4j.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.math3.special.Erf;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** PyTorch's trunc_normal_ as the layers draw their initial weights, and the same draws for the same seed and layer. */
class WeightDrawsTest {

    private static final int COUNT = 40_000;

    @Test
    void fillsAParameterViewWithNormalDrawsAndLeavesTheRestOfTheArray() {
        INDArray flat = Nd4j.valueArrayOf(new long[] {COUNT + 20}, 7.0, DataType.FLOAT);
        INDArray view = flat.get(NDArrayIndex.interval(10, 10 + COUNT)).reshape(200, 200);

        WeightDraws.forLayer(3, 0).truncatedNormal(view, 0.02);

        double[] values = view.reshape(COUNT).toDoubleVector();
        double mean = 0;
        for (double v : values) {
            mean += v / COUNT;
        }
        double variance = 0;
        for (double v : values) {
            variance += (v - mean) * (v - mean) / (COUNT - 1);
        }
        assertEquals(0, mean, 4 * 0.02 / Math.sqrt(COUNT));
        assertEquals(0.02, Math.sqrt(variance), 0.02 * 0.02);
        for (int i = 0; i < 10; i++) {
            assertEquals(7.0, flat.getDouble(i), "before the view");
            assertEquals(7.0, flat.getDouble(COUNT + 10 + i), "after the view");
        }
    }

    /**
     * With std 1.5 a quarter of the draws fall outside [−2, 2] and are drawn again: every value lands
     * inside, with the truncated normal's standard deviation, 1.5 · √(1 − 2aφ(a)/(2Φ(a) − 1)) at
     * a = 2/1.5, which is 1.023 (untruncated 1.5; clamping to ±2 instead of redrawing gives 1.26).
     */
    @Test
    void drawsAgainWhatFallsOutsideTwo() {
        INDArray target = Nd4j.create(DataType.DOUBLE, COUNT);

        WeightDraws.forLayer(4, 0).truncatedNormal(target, 1.5);

        assertTrue(target.amaxNumber().doubleValue() <= 2.0, "max |value| " + target.amaxNumber());
        double a = 2.0 / 1.5;
        double density = Math.exp(-a * a / 2) / Math.sqrt(2 * Math.PI);
        double inside = Erf.erf(a / Math.sqrt(2));
        double expectedStd = 1.5 * Math.sqrt(1 - 2 * a * density / inside);
        assertEquals(expectedStd, target.stdNumber().doubleValue(), 0.015);
        assertEquals(0, target.meanNumber().doubleValue(), 0.02);
    }

    /** A seed and a layer index decide the draws, whatever else ND4J's generator was asked before. */
    @Test
    void theSeedAndTheLayerDecideTheDraws() {
        INDArray first = Nd4j.create(DataType.FLOAT, 1000);
        INDArray again = Nd4j.create(DataType.FLOAT, 1000);
        INDArray otherLayer = Nd4j.create(DataType.FLOAT, 1000);
        WeightDraws.forLayer(7, 2).truncatedNormal(first, 0.02);
        Nd4j.randn(DataType.FLOAT, 100);
        WeightDraws.forLayer(7, 2).truncatedNormal(again, 0.02);
        WeightDraws.forLayer(7, 3).truncatedNormal(otherLayer, 0.02);
        assertEquals(first, again);
        assertTrue(first.neq(otherLayer).any(), "another layer draws other values");
    }
}
