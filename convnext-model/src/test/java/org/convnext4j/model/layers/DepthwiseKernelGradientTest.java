package org.convnext4j.model.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.convnext4j.model.kernels.RowChunks;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The float kernel gradient over several chunks of samples, and on inputs smaller than the kernel, against plain loops in double. */
class DepthwiseKernelGradientTest {

    @Test
    void severalChunksOfSamples() {
        long[] shape = {3, 30, 30, 80};   // 72,000 values per sample: one sample per chunk
        assertTrue(RowChunks.chunkCount(shape[0], shape[1] * shape[2] * shape[3]) == 3);
        assertMatchesPlainLoops(shape);
    }

    @Test
    void fewChannelsGroupPixelsIncludingAPartGroupAtTheRowEnd() {
        assertMatchesPlainLoops(new long[] {2, 9, 7, 40});   // groups of 4 pixels: 7 columns make a full and a part group
    }

    @Test
    void inputsSmallerThanTheKernel() {
        assertMatchesPlainLoops(new long[] {5, 2, 3, 16});
        assertMatchesPlainLoops(new long[] {4, 1, 1, 8});
    }

    private static void assertMatchesPlainLoops(long[] shape) {
        Nd4j.getRandom().setSeed(21);
        INDArray x = Nd4j.randn(DataType.FLOAT, shape);
        INDArray d = Nd4j.randn(DataType.FLOAT, shape);
        int channels = (int) shape[3];
        INDArray gradient = Nd4j.create(DataType.FLOAT, 7, 7, channels, 1);
        DepthwiseKernelGradient.compute(x, d, gradient);

        double[] expected = new double[49 * channels];
        for (int n = 0; n < shape[0]; n++) {
            for (int y = 0; y < shape[1]; y++) {
                for (int xPos = 0; xPos < shape[2]; xPos++) {
                    for (int ky = 0; ky < 7; ky++) {
                        for (int kx = 0; kx < 7; kx++) {
                            int yy = y + ky - 3;
                            int xx = xPos + kx - 3;
                            if (yy < 0 || yy >= shape[1] || xx < 0 || xx >= shape[2]) {
                                continue;
                            }
                            for (int c = 0; c < channels; c++) {
                                expected[(ky * 7 + kx) * channels + c] += d.getDouble(n, y, xPos, c) * x.getDouble(n, yy, xx, c);
                            }
                        }
                    }
                }
            }
        }
        double worst = 0;
        double scale = 1;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - gradient.getDouble(i)));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        assertTrue(worst <= 1e-5 * scale, "max |diff| " + worst + " for sums up to " + scale);
    }
}
