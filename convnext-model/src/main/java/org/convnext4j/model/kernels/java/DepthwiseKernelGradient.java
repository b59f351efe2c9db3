package org.convnext4j.model.kernels.java;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.convnext4j.model.kernels.Kernels;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The kernel gradient of a block's 7×7 depthwise convolution (stride 1, padding 3, channels-last):
 * dL/dW[ky, kx, c] = Σ over n, y, x of dL/dconv[n, y, x, c] · x[n, y + ky − 3, x + kx − 3, c], taps that
 * fall on the padding adding nothing.
 *
 * <p>The channel vectors of a few pixels next to each other in a row (see {@link #GROUP_VALUES}) are
 * copied side by side into an array of their own, so the inner loop, acc[c] += dConv[c] · x[c],
 * reads and writes three arrays at the same index: HotSpot 17 keeps a loop
 * scalar when it writes one float array and reads another at a different offset (they might be the
 * same array). It is not computed as a forward depthwise convolution of every (sample, channel) plane,
 * which is slower and needs the activations rearranged into planes first.
 *
 * <p>Work is split by samples, each chunk's sums kept apart and added in chunk order, so the result
 * never depends on thread timing.
 */
final class DepthwiseKernelGradient {

    private static final int K = Kernels.DEPTHWISE_KERNEL;
    private static final int PAD = K / 2;
    // Working-array slots.
    private static final int INPUT = 0;
    private static final int GRADIENT = 1;

    /**
     * Values per inner loop at least: HotSpot runs the first and last iterations of a vectorised loop
     * one by one, which at atto's 40 channels left most of each 40-value loop scalar. Pixels next to
     * each other in a row are grouped until a loop has this many values.
     */
    private static final int GROUP_VALUES = 128;

    /** This thread's grouped arrays by group length (one set per stage), reused while large enough. */
    private static final ThreadLocal<Map<Integer, GroupArrays>> GROUPS = ThreadLocal.withInitial(HashMap::new);

    private DepthwiseKernelGradient() {
    }

    /** Writes dL/dW for the NHWC {@code input} and {@code dConv} into {@code kernelGradient}, shaped (7, 7, C, 1). */
    static void compute(INDArray input, INDArray dConv, INDArray kernelGradient) {
        DataType type = RowChunks.checkedType(input, dConv);
        long samples = input.size(0);
        int height = (int) input.size(1);
        int width = (int) input.size(2);
        int channels = (int) input.size(3);
        int perSample = height * width * channels;
        ColumnSums sums = new ColumnSums(RowChunks.chunkCount(samples, perSample), K * K * channels);
        if (type == DataType.FLOAT) {
            FloatBuffer inputValues = RowChunks.floatBuffer(input);
            FloatBuffer dConvValues = RowChunks.floatBuffer(dConv);
            RowChunks.forEach(samples, perSample, chunk -> sums.put(chunk.index(), floatChunk(chunk.read(inputValues, INPUT),
                    chunk.read(dConvValues, GRADIENT), chunk.rows(), height, width, channels)));
        } else {
            DoubleBuffer inputValues = RowChunks.doubleBuffer(input);
            DoubleBuffer dConvValues = RowChunks.doubleBuffer(dConv);
            RowChunks.forEach(samples, perSample, chunk -> sums.put(chunk.index(), doubleChunk(chunk.read(inputValues, INPUT),
                    chunk.read(dConvValues, GRADIENT), chunk.rows(), height, width, channels)));
        }
        sums.assignTotalTo(kernelGradient);
    }

    private static float[] floatChunk(float[] x, float[] d, int samples, int height, int width, int channels) {
        int group = pixelsPerGroup(channels);
        int span = group * channels;
        int inputGroupsPerRow = width + 2 * PAD;   // groups starting at columns −3 … width + 2
        int outputGroupsPerRow = (width + group - 1) / group;
        int rows = samples * height;
        GroupArrays own = GROUPS.get().computeIfAbsent(span, GroupArrays::new)
                .fitting(rows * inputGroupsPerRow, rows * outputGroupsPerRow);
        for (int row = 0; row < rows; row++) {
            for (int g = 0; g < inputGroupsPerRow; g++) {
                fillGroup(x, row, g - PAD, width, channels, group, own.x[row * inputGroupsPerRow + g]);
            }
            for (int g = 0; g < outputGroupsPerRow; g++) {
                fillGroup(d, row, g * group, width, channels, group, own.d[row * outputGroupsPerRow + g]);
            }
        }
        for (float[] tap : own.taps) {
            Arrays.fill(tap, 0, span, 0f);
        }
        for (int row = 0; row < rows; row++) {
            int y = row % height;
            int kyFrom = Math.max(0, PAD - y);
            int kyTo = Math.min(K, height + PAD - y);
            int g = 0;
            while (g < outputGroupsPerRow) {
                int first = g * group;
                if (g + 2 < outputGroupsPerRow && first >= PAD && first + 3 * group + PAD <= width) {
                    // three groups whose every tap reaches inside the image: one statement adds all three
                    float[] d0 = own.d[row * outputGroupsPerRow + g];
                    float[] d1 = own.d[row * outputGroupsPerRow + g + 1];
                    float[] d2 = own.d[row * outputGroupsPerRow + g + 2];
                    for (int ky = kyFrom; ky < kyTo; ky++) {
                        int inputRow = (row + ky - PAD) * inputGroupsPerRow + first;
                        for (int kx = 0; kx < K; kx++) {
                            tapOfThreeGroups(own.taps[ky * K + kx], d0, own.x[inputRow + kx], d1, own.x[inputRow + group + kx],
                                    d2, own.x[inputRow + 2 * group + kx], span);
                        }
                    }
                    g += 3;
                    continue;
                }
                float[] dGroup = own.d[row * outputGroupsPerRow + g];
                int last = Math.min(width, first + group) - 1;
                for (int ky = kyFrom; ky < kyTo; ky++) {
                    int inputRow = (row + ky - PAD) * inputGroupsPerRow;
                    // taps that reach a column inside the image for some pixel of the group
                    for (int kx = Math.max(0, PAD - last); kx < Math.min(K, width + PAD - first); kx++) {
                        float[] xGroup = own.x[inputRow + first + kx];   // starts at column first + kx − 3
                        float[] tap = own.taps[ky * K + kx];
                        for (int c = 0; c < span; c++) {
                            tap[c] += dGroup[c] * xGroup[c];
                        }
                    }
                }
                g++;
            }
        }
        for (int t = 0; t < K * K; t++) {
            float[] tap = own.taps[t];
            for (int c = 0; c < channels; c++) {
                float sum = 0;
                for (int member = 0; member < group; member++) {
                    sum += tap[member * channels + c];
                }
                own.total[t * channels + c] = sum;
            }
        }
        return own.total;   // ColumnSums.put copies it
    }

    /**
     * tap += d0·x0 + d1·x1 + d2·x2: the contributions of three neighbouring output groups to one tap, in
     * the order separate loops would add them, with the tap read and written once instead of three times.
     */
    private static void tapOfThreeGroups(float[] tap, float[] d0, float[] x0, float[] d1, float[] x1, float[] d2, float[] x2,
                                         int span) {
        for (int c = 0; c < span; c++) {
            tap[c] = tap[c] + d0[c] * x0[c] + d1[c] * x1[c] + d2[c] * x2[c];
        }
    }

    /** Pixels next to each other in a row whose channel vectors make a group of at least {@link #GROUP_VALUES} values. */
    static int pixelsPerGroup(int channels) {
        return Math.max(1, (GROUP_VALUES + channels - 1) / channels);
    }

    /** The channel vectors of pixels (row, column … column + group − 1) side by side, zeros outside the row. */
    static void fillGroup(float[] values, int row, int column, int width, int channels, int group, float[] into) {
        int first = Math.max(column, 0);             // the pixels inside the row are one contiguous run
        int end = Math.min(column + group, width);
        if (first >= end) {
            Arrays.fill(into, 0, group * channels, 0f);
            return;
        }
        Arrays.fill(into, 0, (first - column) * channels, 0f);
        System.arraycopy(values, (row * width + first) * channels, into, (first - column) * channels, (end - first) * channels);
        Arrays.fill(into, (end - column) * channels, group * channels, 0f);
    }

    /** The same sums in double precision, for the gradient checks. */
    private static double[] doubleChunk(double[] x, double[] d, int samples, int height, int width, int channels) {
        double[] total = new double[K * K * channels];
        for (int s = 0; s < samples; s++) {
            for (int y = 0; y < height; y++) {
                for (int xPos = 0; xPos < width; xPos++) {
                    int out = ((s * height + y) * width + xPos) * channels;
                    for (int ky = Math.max(0, PAD - y); ky < Math.min(K, height + PAD - y); ky++) {
                        for (int kx = Math.max(0, PAD - xPos); kx < Math.min(K, width + PAD - xPos); kx++) {
                            int in = ((s * height + y + ky - PAD) * width + xPos + kx - PAD) * channels;
                            int tap = (ky * K + kx) * channels;
                            for (int c = 0; c < channels; c++) {
                                total[tap + c] += d[out + c] * x[in + c];
                            }
                        }
                    }
                }
            }
        }
        return total;
    }

    /** A thread's grouped copies of a chunk's input and gradient, and its 49 tap accumulators, for one group length. */
    private static final class GroupArrays {
        private final int span;
        final float[][] taps;
        final float[] total;
        float[][] x = new float[0][];
        float[][] d = new float[0][];

        GroupArrays(int span) {
            this.span = span;
            this.taps = new float[K * K][span];
            this.total = new float[K * K * span];
        }

        GroupArrays fitting(int inputGroups, int outputGroups) {
            if (x.length < inputGroups) {
                x = new float[inputGroups][span];
            }
            if (d.length < outputGroups) {
                d = new float[outputGroups][span];
            }
            return this;
        }
    }
}
