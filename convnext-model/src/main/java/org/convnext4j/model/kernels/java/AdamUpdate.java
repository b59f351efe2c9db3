package org.convnext4j.model.kernels.java;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

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
        FloatBuffer gradients = RowChunks.floatBuffer(gradient);
        FloatBuffer firstMoments = RowChunks.floatBuffer(m);
        FloatBuffer secondMoments = RowChunks.floatBuffer(v);
        RowChunks.forEach(gradient.length(), 1, chunk -> {
            int length = chunk.length();
            float[] gs = chunk.read(gradients, GRADIENT);
            float[] ms = chunk.read(firstMoments, FIRST_MOMENT);
            float[] vs = chunk.read(secondMoments, SECOND_MOMENT);
            for (int i = 0; i < length; i++) {
                float gi = gs[i];
                ms[i] = b1 * ms[i] + (1 - b1) * gi;
                vs[i] = b2 * vs[i] + (1 - b2) * gi * gi;
                gs[i] = size * ms[i] / ((float) Math.sqrt(vs[i]) * correction + eps);
            }
            chunk.write(gs, gradients);
            chunk.write(ms, firstMoments);
            chunk.write(vs, secondMoments);
        });
    }

    private static void applyDouble(AdamStep step, INDArray gradient, INDArray m, INDArray v) {
        double b1 = step.beta1();
        double b2 = step.beta2();
        DoubleBuffer gradients = RowChunks.doubleBuffer(gradient);
        DoubleBuffer firstMoments = RowChunks.doubleBuffer(m);
        DoubleBuffer secondMoments = RowChunks.doubleBuffer(v);
        RowChunks.forEach(gradient.length(), 1, chunk -> {
            int length = chunk.length();
            double[] gs = chunk.read(gradients, GRADIENT);
            double[] ms = chunk.read(firstMoments, FIRST_MOMENT);
            double[] vs = chunk.read(secondMoments, SECOND_MOMENT);
            for (int i = 0; i < length; i++) {
                double gi = gs[i];
                ms[i] = b1 * ms[i] + (1 - b1) * gi;
                vs[i] = b2 * vs[i] + (1 - b2) * gi * gi;
                gs[i] = step.stepSize() * ms[i] / (Math.sqrt(vs[i]) / step.sqrtBiasCorrection2() + step.epsilon());
            }
            chunk.write(gs, gradients);
            chunk.write(ms, firstMoments);
            chunk.write(vs, secondMoments);
        });
    }
}
