package org.convnext4j.model.kernels.java;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;

import org.convnext4j.model.kernels.Kernels;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A block's 7×7 depthwise convolution (stride 1, padding 3, channels-last), optionally with a bias:
 * out[n, y, x, c] = bias[c] + Σ over the taps inside the image of in[n, y + ky − 3, x + kx − 3, c] · w[ky, kx, c].
 * With the kernel turned 180° and no bias it is the convolution's input gradient.
 *
 * <p>Where it runs (see {@link JavaKernels}): the input gradient wherever oneDNN lacks AVX-512 (turned
 * through libnd4j's op it was no faster there), and everything where oneDNN is capped below the CPU's
 * AVX-512, whose path for this layout is then far slower (docs/performance-journal.md, #18). This pass
 * vectorises for whatever the CPU has.
 *
 * <p>As in {@link DepthwiseKernelGradient}, the channel vectors of a few pixels next to each other in
 * a row are copied side by side into arrays of their own (zeros outside the image), and the kernel
 * taps repeated to the same length, so that the inner loop, acc[c] += x[c] · w[c], reads every array at
 * the element's own index, which HotSpot 17 vectorises. Work is split by samples; each output value is
 * summed by one thread in tap order, so the result never depends on thread timing.
 */
final class DepthwiseConvolution {

    private static final int K = Kernels.DEPTHWISE_KERNEL;
    private static final int PAD = K / 2;
    // Working-array slots.
    private static final int OUT = 0;

    /** This thread's grouped arrays by group length, reused while large enough. */
    private static final ThreadLocal<Map<Integer, Groups>> GROUPS = ThreadLocal.withInitial(HashMap::new);

    private DepthwiseConvolution() {
    }

    /**
     * Writes the convolution of the NHWC {@code input} with {@code kernel}, shaped (7, 7, C, 1), turned
     * 180° if asked, plus {@code bias} (C values, or null) into {@code out}, shaped as the input.
     */
    static void forward(INDArray input, INDArray kernel, INDArray bias, boolean turned, INDArray out) {
        DataType type = RowChunks.checkedType(input, out);
        long samples = input.size(0);
        int height = (int) input.size(1);
        int width = (int) input.size(2);
        int channels = (int) input.size(3);
        int perSample = height * width * channels;
        INDArray taps = kernel.reshape('c', K * K, channels);
        if (type == DataType.FLOAT) {
            float[] w = tapsInOrder(taps.dup('c').data().asFloat(), channels, turned);
            float[] b = bias == null ? new float[channels] : bias.reshape(channels).toFloatVector();
            FloatBuffer inputValues = RowChunks.floatBuffer(input);
            FloatBuffer outValues = RowChunks.floatBuffer(out);
            RowChunks.forEach(samples, perSample, chunk -> {
                float[] x = chunk.read(inputValues, OUT);
                floatChunk(x, w, b, chunk.rows(), height, width, channels);
                chunk.write(x, outValues);
            });
        } else {
            double[] w = tapsInOrder(taps.dup('c').data().asDouble(), channels, turned);
            double[] b = bias == null ? new double[channels] : bias.reshape(channels).toDoubleVector();
            DoubleBuffer inputValues = RowChunks.doubleBuffer(input);
            DoubleBuffer outValues = RowChunks.doubleBuffer(out);
            RowChunks.forEach(samples, perSample, chunk -> {
                double[] x = chunk.read(inputValues, OUT);
                doubleChunk(x, w, b, chunk.rows(), height, width, channels);
                chunk.write(x, outValues);
            });
        }
    }

    /** The 49 taps of C values each, in the order they are applied: as given, or turned 180°. */
    private static float[] tapsInOrder(float[] taps, int channels, boolean turned) {
        if (!turned) {
            return taps;
        }
        float[] result = new float[taps.length];
        for (int t = 0; t < K * K; t++) {
            System.arraycopy(taps, (K * K - 1 - t) * channels, result, t * channels, channels);
        }
        return result;
    }

    private static double[] tapsInOrder(double[] taps, int channels, boolean turned) {
        if (!turned) {
            return taps;
        }
        double[] result = new double[taps.length];
        for (int t = 0; t < K * K; t++) {
            System.arraycopy(taps, (K * K - 1 - t) * channels, result, t * channels, channels);
        }
        return result;
    }

    /** Convolves the chunk's samples in {@code x}, writing the result over them (each sample's input is copied first). */
    private static void floatChunk(float[] x, float[] w, float[] b, int samples, int height, int width, int channels) {
        int group = DepthwiseKernelGradient.pixelsPerGroup(channels);
        int span = group * channels;
        int inputGroupsPerRow = width + 2 * PAD;   // groups starting at columns −3 … width + 2
        Groups own = GROUPS.get().computeIfAbsent(span, Groups::new).fitting(height * inputGroupsPerRow);
        own.repeat(w, b, channels, group);
        float[] acc = own.acc;
        for (int s = 0; s < samples; s++) {
            int sampleStart = s * height * width * channels;
            for (int y = 0; y < height; y++) {
                for (int g = 0; g < inputGroupsPerRow; g++) {
                    DepthwiseKernelGradient.fillGroup(x, s * height + y, g - PAD, width, channels, group,
                            own.x[y * inputGroupsPerRow + g]);
                }
            }
            for (int y = 0; y < height; y++) {
                for (int first = 0; first < width; first += group) {
                    int last = Math.min(width, first + group) - 1;
                    System.arraycopy(own.bias, 0, acc, 0, span);
                    // taps that reach a column inside the image for some pixel of the group
                    int kxFrom = Math.max(0, PAD - last);
                    int kxTo = Math.min(K, width + PAD - first);
                    for (int ky = Math.max(0, PAD - y); ky < Math.min(K, height + PAD - y); ky++) {
                        int row = (y + ky - PAD) * inputGroupsPerRow + first;
                        if (kxFrom == 0 && kxTo == K) {
                            rowOfTaps(acc, own.x, row, own.taps, ky * K, span);
                        } else {
                            for (int kx = kxFrom; kx < kxTo; kx++) {
                                float[] xGroup = own.x[row + kx];   // starts at column first + kx − 3
                                float[] tap = own.taps[ky * K + kx];
                                for (int c = 0; c < span; c++) {
                                    acc[c] += xGroup[c] * tap[c];
                                }
                            }
                        }
                    }
                    System.arraycopy(acc, 0, x, sampleStart + (y * width + first) * channels, (last - first + 1) * channels);
                }
            }
        }
    }

    /**
     * acc += the seven taps of one kernel row: x groups {@code row} … {@code row + 6} (starting at
     * columns first − 3 … first + 3) times taps {@code tap} … {@code tap + 6}, several taps to a
     * statement. Summed left to right, the order of the sums is that of one loop per tap, while acc is
     * read and written three times instead of seven. Three statements, not one: HotSpot 17 leaves a
     * loop with a longer body scalar (it does not unroll it far enough to vectorise).
     */
    private static void rowOfTaps(float[] acc, float[][] x, int row, float[][] taps, int tap, int span) {
        float[] x0 = x[row], x1 = x[row + 1], x2 = x[row + 2], x3 = x[row + 3], x4 = x[row + 4], x5 = x[row + 5], x6 = x[row + 6];
        float[] w0 = taps[tap], w1 = taps[tap + 1], w2 = taps[tap + 2], w3 = taps[tap + 3], w4 = taps[tap + 4], w5 = taps[tap + 5],
                w6 = taps[tap + 6];
        for (int c = 0; c < span; c++) {
            acc[c] = acc[c] + x0[c] * w0[c] + x1[c] * w1[c] + x2[c] * w2[c];
        }
        for (int c = 0; c < span; c++) {
            acc[c] = acc[c] + x3[c] * w3[c] + x4[c] * w4[c];
        }
        for (int c = 0; c < span; c++) {
            acc[c] = acc[c] + x5[c] * w5[c] + x6[c] * w6[c];
        }
    }

    /** The same sums in double precision, for the gradient checks: plain loops over a copy of each sample. */
    private static void doubleChunk(double[] x, double[] w, double[] b, int samples, int height, int width, int channels) {
        int perSample = height * width * channels;
        double[] in = new double[perSample];
        for (int s = 0; s < samples; s++) {
            System.arraycopy(x, s * perSample, in, 0, perSample);
            for (int y = 0; y < height; y++) {
                for (int xPos = 0; xPos < width; xPos++) {
                    int out = s * perSample + (y * width + xPos) * channels;
                    System.arraycopy(b, 0, x, out, channels);
                    for (int ky = Math.max(0, PAD - y); ky < Math.min(K, height + PAD - y); ky++) {
                        for (int kx = Math.max(0, PAD - xPos); kx < Math.min(K, width + PAD - xPos); kx++) {
                            int from = ((y + ky - PAD) * width + xPos + kx - PAD) * channels;
                            int tap = (ky * K + kx) * channels;
                            for (int c = 0; c < channels; c++) {
                                x[out + c] += in[from + c] * w[tap + c];
                            }
                        }
                    }
                }
            }
        }
    }

    /** A thread's grouped copies of one sample's input, the taps and bias repeated to a group's length, for one group length. */
    private static final class Groups {
        private final int span;
        final float[][] taps;
        final float[] bias;
        final float[] acc;
        float[][] x = new float[0][];

        Groups(int span) {
            this.span = span;
            this.taps = new float[K * K][span];
            this.bias = new float[span];
            this.acc = new float[span];
        }

        Groups fitting(int inputGroups) {
            if (x.length < inputGroups) {
                x = new float[inputGroups][span];
            }
            return this;
        }

        void repeat(float[] w, float[] b, int channels, int group) {
            for (int member = 0; member < group; member++) {
                for (int t = 0; t < K * K; t++) {
                    System.arraycopy(w, t * channels, taps[t], member * channels, channels);
                }
                System.arraycopy(b, 0, bias, member * channels, channels);
            }
        }
    }
}
