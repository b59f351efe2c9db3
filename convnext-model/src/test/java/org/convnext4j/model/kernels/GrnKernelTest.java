package org.convnext4j.model.kernels;

import static org.convnext4j.testsupport.ArrayAssert.assertClose;

import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ConvNeXt V2's GRN kernels, forward and backward, for each implementation, against the formulas written
 * as plain loops in double: samples whose rows straddle chunks, a sample of many rows, a column that is all
 * zeros in one sample (norm 0), the GELU kernel's scale of 2, and in place.
 */
class GrnKernelTest {

    /** Max |difference| allowed: float kernels against a double reference, relative above 1. */
    private static final double TOLERANCE = 2e-5;

    private static final int COLUMNS = 48;

    @ParameterizedTest
    @MethodSource("org.convnext4j.model.kernels.KernelImplementations#all")
    void manySmallSamplesAcrossChunks(Kernels kernels) {
        check(kernels, 429, 7, 2.0, false);
    }

    @ParameterizedTest
    @MethodSource("org.convnext4j.model.kernels.KernelImplementations#all")
    void fewLargeSamplesInPlace(Kernels kernels) {
        check(kernels, 3, 1500, 1.0, true);
    }

    private static void check(Kernels kernels, int samples, int rowsPerSample, double scale, boolean inPlace) {
        int rows = samples * rowsPerSample;
        SplittableRandom random = new SplittableRandom(samples);
        double[][] x = new double[rows][COLUMNS];
        double[][] dy = new double[rows][COLUMNS];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < COLUMNS; c++) {
                boolean deadColumn = c == 5 && r < rowsPerSample;   // sample 0, column 5: norm 0
                x[r][c] = deadColumn ? 0 : random.nextGaussian() * (1 + c % 3);
                dy[r][c] = random.nextGaussian();
            }
        }
        double[] gamma = new double[COLUMNS];
        double[] beta = new double[COLUMNS];
        for (int c = 0; c < COLUMNS; c++) {
            gamma[c] = random.nextGaussian();
            beta[c] = random.nextGaussian();
        }
        Reference expected = reference(x, dy, gamma, beta, samples, rowsPerSample, scale);

        INDArray xs = Nd4j.createFromArray(x).castTo(DataType.FLOAT);
        INDArray kept = xs.dup();
        INDArray dys = Nd4j.createFromArray(dy).castTo(DataType.FLOAT);
        INDArray g = Nd4j.createFromArray(gamma).castTo(DataType.FLOAT);
        INDArray b = Nd4j.createFromArray(beta).castTo(DataType.FLOAT);
        INDArray norms = Nd4j.create(DataType.FLOAT, samples, COLUMNS);
        INDArray out = inPlace ? xs : xs.like();
        kernels.grn(xs, rowsPerSample, g, b, scale, out, norms);
        INDArray dx = inPlace ? dys : dys.like();
        INDArray dGamma = g.like();
        INDArray dBeta = b.like();
        kernels.grnBackward(dys, kept, rowsPerSample, g, scale, norms, dx, dGamma, dBeta);

        assertClose(expected.out, out, TOLERANCE, kernels.name() + " output");
        assertClose(expected.norms, norms, TOLERANCE, kernels.name() + " norms");
        assertClose(expected.dx, dx, TOLERANCE, kernels.name() + " input gradient");
        assertClose(expected.dGamma, dGamma, TOLERANCE, kernels.name() + " gamma gradient");
        assertClose(expected.dBeta, dBeta, TOLERANCE, kernels.name() + " beta gradient");
    }

    private record Reference(INDArray out, INDArray norms, INDArray dx, INDArray dGamma, INDArray dBeta) {
    }

    /** y = x·(1 + γ·N) + s·β; dx by the chain rule through N = G / (mean G + s·eps), G = ‖x‖ over the sample's rows. */
    private static Reference reference(double[][] x, double[][] dy, double[] gamma, double[] beta, int samples, int rowsPerSample,
                                       double scale) {
        int rows = x.length;
        double[][] out = new double[rows][COLUMNS];
        double[][] dx = new double[rows][COLUMNS];
        double[][] norms = new double[samples][COLUMNS];
        double[] dGamma = new double[COLUMNS];
        double[] dBeta = new double[COLUMNS];
        double eps = scale * Kernels.GRN_EPS;
        for (int n = 0; n < samples; n++) {
            int first = n * rowsPerSample;
            double[] norm = norms[n];
            for (int r = first; r < first + rowsPerSample; r++) {
                for (int c = 0; c < COLUMNS; c++) {
                    norm[c] += x[r][c] * x[r][c];
                }
            }
            double mean = 0;
            for (int c = 0; c < COLUMNS; c++) {
                norm[c] = Math.sqrt(norm[c]);
                mean += norm[c] / COLUMNS;
            }
            double[] normalised = new double[COLUMNS];
            double[] dN = new double[COLUMNS];   // dL/dN_c = Σ_r dy·x·γ
            for (int c = 0; c < COLUMNS; c++) {
                normalised[c] = norm[c] / (mean + eps);
            }
            for (int r = first; r < first + rowsPerSample; r++) {
                for (int c = 0; c < COLUMNS; c++) {
                    out[r][c] = x[r][c] * (1 + gamma[c] * normalised[c]) + scale * beta[c];
                    dGamma[c] += dy[r][c] * x[r][c] * normalised[c];
                    dBeta[c] += scale * dy[r][c];
                    dN[c] += dy[r][c] * x[r][c] * gamma[c];
                }
            }
            // dL/dG_j = dN_j/(mean+eps) − Σ_k dN_k·G_k/(mean+eps)² / C; dG_j/dx = x/G_j
            double shared = 0;
            for (int k = 0; k < COLUMNS; k++) {
                shared += dN[k] * norm[k];
            }
            shared /= (mean + eps) * (mean + eps) * COLUMNS;
            for (int r = first; r < first + rowsPerSample; r++) {
                for (int c = 0; c < COLUMNS; c++) {
                    double dG = dN[c] / (mean + eps) - shared;
                    dx[r][c] = dy[r][c] * (1 + gamma[c] * normalised[c]) + (norm[c] == 0 ? 0 : dG * x[r][c] / norm[c]);
                }
            }
        }
        return new Reference(Nd4j.createFromArray(out), Nd4j.createFromArray(norms), Nd4j.createFromArray(dx),
                Nd4j.createFromArray(dGamma), Nd4j.createFromArray(dBeta));
    }
}
