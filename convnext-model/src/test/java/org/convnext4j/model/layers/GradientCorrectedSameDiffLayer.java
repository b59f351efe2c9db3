package org.convnext4j.model.layers;

import java.io.OutputStream;
import java.io.PrintStream;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's generic runtime SameDiff layer with the incoming gradient halved before backprop: the
 * reference the hand-written runtimes are tested against ({@code HandWrittenLayerTest}).
 *
 * <p>In DL4J 1.0.0-M2.1 the gradient a SameDiffLayer computes is exactly twice the true one, for
 * its parameters and its input alike (see {@code SameDiffGradientFactorTest}, which fails if that
 * factor ever changes); halving the incoming gradient makes it exact.
 */
final class GradientCorrectedSameDiffLayer extends SameDiffLayer {

    static final double DL4J_GRADIENT_FACTOR = 2.0;
    private static final PrintStream DISCARD = new PrintStream(OutputStream.nullOutputStream());

    GradientCorrectedSameDiffLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray corrected = epsilon.div(DL4J_GRADIENT_FACTOR);
        if (sameDiff != null && sameDiff.hasGradientFunction()) {
            return super.backpropGradient(corrected, workspaceMgr);
        }
        // The first backprop builds the gradient function, and SameDiff prints a line per op to
        // System.out while doing so; keep that out of the user's console.
        synchronized (GradientCorrectedSameDiffLayer.class) {
            PrintStream console = System.out;
            System.setOut(DISCARD);
            try {
                return super.backpropGradient(corrected, workspaceMgr);
            } finally {
                System.setOut(console);
            }
        }
    }
}
