package org.convnext4j.model.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class DropPathTest {

    private static final int SAMPLES = 20_000;

    @Test
    void dropsWholeSamplesAtTheRateAndPreservesTheExpectation() {
        double rate = 0.3;
        DropPath dropPath = DropPath.sample(rate, SAMPLES, 4, DataType.DOUBLE, new SplittableRandom(5));
        double[] factors = dropPath.factors().toDoubleVector();
        int dropped = 0;
        double sum = 0;
        for (int i = 0; i < SAMPLES; i++) {
            double factor = factors[i];
            if (factor == 0) {
                dropped++;
            } else {
                assertEquals(1 / (1 - rate), factor, 1e-12);
            }
            sum += factor;
        }
        double sigma = Math.sqrt(SAMPLES * rate * (1 - rate));
        assertTrue(Math.abs(dropped - SAMPLES * rate) < 4 * sigma, "dropped " + dropped + " of " + SAMPLES);
        double mean = sum / SAMPLES;
        double meanSigma = Math.sqrt(rate / (1 - rate) / SAMPLES);
        assertTrue(Math.abs(mean - 1.0) < 4 * meanSigma, "mean " + mean + " should be 1");
        assertNull(DropPath.sample(0.0, SAMPLES, 4, DataType.DOUBLE, new SplittableRandom(5)), "rate 0 drops nothing");
        assertEquals(4, dropPath.rowsPerSample());
    }
}
