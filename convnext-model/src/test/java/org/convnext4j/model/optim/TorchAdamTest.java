package org.convnext4j.model.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * The fused float step against PyTorch's Adam formula evaluated element by element in double
 * precision, over three steps and a state view that starts inside a larger buffer, as DL4J hands it.
 */
class TorchAdamTest {

    private static final int PARAMS = 20_001;   // not a multiple of any chunk or vector width
    private static final double LR = 3e-3;
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    @Test
    void floatStepsFollowTorchsFormula() {
        TorchAdam adam = new TorchAdam(new MapSchedule(ScheduleType.ITERATION, java.util.Map.of(0, LR)), BETA1, BETA2, EPS);
        INDArray buffer = Nd4j.create(DataType.FLOAT, 2 * PARAMS + 10);
        INDArray state = buffer.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(10, 10 + 2 * PARAMS));
        GradientUpdater<?> updater = adam.instantiate(state, true);
        Nd4j.getRandom().setSeed(3);
        double[] m = new double[PARAMS];
        double[] v = new double[PARAMS];
        for (int iteration = 0; iteration < 3; iteration++) {
            INDArray gradient = Nd4j.randn(DataType.FLOAT, 1, PARAMS).muli(Math.pow(10, -2 * iteration));
            float[] g = gradient.toFloatVector();
            updater.applyUpdater(gradient, iteration, 0);
            int t = iteration + 1;
            for (int i = 0; i < PARAMS; i++) {
                m[i] = BETA1 * m[i] + (1 - BETA1) * g[i];
                v[i] = BETA2 * v[i] + (1 - BETA2) * g[i] * g[i];
                double step = LR / (1 - Math.pow(BETA1, t)) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(BETA2, t)) + EPS);
                assertEquals(step, gradient.getFloat(0, i), 1e-5 * Math.abs(step) + 1e-12, "step " + t + ", parameter " + i);
            }
        }
        assertEquals(0f, buffer.getFloat(9), "nothing before the state view is written");
    }
}
