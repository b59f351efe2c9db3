package org.convnext4j.model.kernels.java;

import org.convnext4j.model.kernels.AdamStep;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One Adam step in one pass over the moments and the gradient, which becomes the step (see
 * {@link org.convnext4j.model.kernels.Kernels#adamStep}): six streams of the model's size where
 * separate ND4J ops make over twenty.
 */
final class AdamUpdate {

    // Working-array slots.
    private static final int GRADIENT = 0;
    private static final int FIRST_MOMENT = 1;
    private static final int SECOND_MOMENT = 2;

    private AdamUpdate() {
    }

    static void apply(AdamStep step, INDArray gradient, INDArray m, INDArray v) {
        if (RowChunks.checkedType(gradient, m, v) == DataType.FLOAT) {
            applyFloat(step, gradient, m, v);
        } else {
            applyDouble(step, gradient, m, v);
        }
    }

    private static void applyFloat(AdamStep step, INDArray gradient, INDArray m, INDArray v) {
        float b1 = (float) step.beta1();
        float b2 = (float) step.beta2();
        float eps = (float) step.epsilon();
        float size = (float) step.stepSize();
        float correction = (float) (1 / step.sqrtBiasCorrection2());
        RowChunks.forEach(gradient.length(), 1, chunk -> {
            int length = chunk.length();
            float[] gs = chunk.read(gradient, GRADIENT);
            float[] ms = chunk.read(m, FIRST_MOMENT);
            float[] vs = chunk.read(v, SECOND_MOMENT);
            for (int i = 0; i < length; i++) {
                float gi = gs[i];
                ms[i] = b1 * ms[i] + (1 - b1) * gi;
                vs[i] = b2 * vs[i] + (1 - b2) * gi * gi;
                gs[i] = size * ms[i] / ((float) Math.sqrt(vs[i]) * correction + eps);
            }
            chunk.write(gs, gradient);
            chunk.write(ms, m);
            chunk.write(vs, v);
        });
    }

    private static void applyDouble(AdamStep step, INDArray gradient, INDArray m, INDArray v) {
        double b1 = step.beta1();
        double b2 = step.beta2();
        RowChunks.forEach(gradient.length(), 1, chunk -> {
            int length = chunk.length();
            double[] gs = chunk.readDoubles(gradient, GRADIENT);
            double[] ms = chunk.readDoubles(m, FIRST_MOMENT);
            double[] vs = chunk.readDoubles(v, SECOND_MOMENT);
            for (int i = 0; i < length; i++) {
                double gi = gs[i];
                ms[i] = b1 * ms[i] + (1 - b1) * gi;
                vs[i] = b2 * vs[i] + (1 - b2) * gi * gi;
                gs[i] = step.stepSize() * ms[i] / (Math.sqrt(vs[i]) / step.sqrtBiasCorrection2() + step.epsilon());
            }
            chunk.write(gs, gradient);
            chunk.write(ms, m);
            chunk.write(vs, v);
        });
    }
}
