package org.convnext4j.model.kernels;

import static org.convnext4j.testsupport.ArrayAssert.assertClose;

import java.util.stream.Stream;

import org.convnext4j.model.kernels.java.JavaKernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A block's 7×7 depthwise convolution, its input gradient and its kernel gradient in float, against
 * plain loops in double, for each kernel implementation: over several chunks of samples, few
 * channels (the Java kernel gradient groups pixels, with a part group at the row end), and inputs
 * smaller than the kernel (convolved with the reachable taps only). The Java kernels run three times: with
 * the convolution on oneDNN (what machines with AVX-512 run), on oneDNN a thread per part of the batch
 * (AVX2), and on our own pass (under a cap); our own pass also in double precision, the gradient checks' type.
 */
class DepthwiseKernelsTest {

    /** Max |difference| allowed: float kernels against a double-precision loop, relative above 1. */
    private static final double TOLERANCE = 1e-5;

    /** The same in double precision. */
    private static final double DOUBLE_TOLERANCE = 1e-10;

    private static final int K = Kernels.DEPTHWISE_KERNEL;

    static Stream<Kernels> implementations() {
        Backend backend = Backend.current();
        return Stream.concat(KernelImplementations.all(),
                backend.cpu() ? Stream.of(new JavaKernels(backend, true, false), new JavaKernels(backend, false, false),
                        new JavaKernels(backend, false, true)) : Stream.empty());
    }
    private static final int PAD = K / 2;

    @ParameterizedTest
    @MethodSource("implementations")
    void severalChunksOfSamples(Kernels kernels) {
        assertMatchesPlainLoops(kernels, new long[] {3, 30, 30, 80});   // 72,000 values per sample: one sample per Java chunk
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void fewChannelsAndAPartGroupAtTheRowEnd(Kernels kernels) {
        assertMatchesPlainLoops(kernels, new long[] {2, 9, 7, 40});
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void inputsSmallerThanTheKernel(Kernels kernels) {
        assertMatchesPlainLoops(kernels, new long[] {5, 2, 3, 16});
        assertMatchesPlainLoops(kernels, new long[] {4, 1, 1, 8});
        assertMatchesPlainLoops(kernels, new long[] {1, 1, 1, 8});
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void doublePrecision(Kernels kernels) {
        assertMatchesPlainLoops(kernels, new long[] {3, 9, 7, 40}, DataType.DOUBLE);
        assertMatchesPlainLoops(kernels, new long[] {2, 2, 3, 16}, DataType.DOUBLE);
    }

    private static void assertMatchesPlainLoops(Kernels kernels, long[] shape) {
        assertMatchesPlainLoops(kernels, shape, DataType.FLOAT);
    }

    private static void assertMatchesPlainLoops(Kernels kernels, long[] shape, DataType type) {
        Nd4j.getRandom().setSeed(21);
        INDArray x = Nd4j.randn(type, shape);
        INDArray d = Nd4j.randn(type, shape);
        int channels = (int) shape[3];
        INDArray kernel = Nd4j.randn(type, K, K, channels, 1);
        INDArray bias = Nd4j.randn(type, channels);
        INDArray out = x.like();
        kernels.depthwise(x, kernel, bias, out);
        INDArray inputGradient = x.like();
        INDArray kernelGradient = Nd4j.valueArrayOf(new long[] {K, K, channels, 1}, 9.0, type);   // every tap must be written
        kernels.depthwiseBackward(x, kernel, d, inputGradient, kernelGradient);

        double[] expectedOut = new double[(int) x.length()];
        double[] expectedInputGradient = new double[(int) x.length()];
        double[] expectedKernelGradient = new double[K * K * channels];
        for (int n = 0; n < shape[0]; n++) {
            for (int y = 0; y < shape[1]; y++) {
                for (int xPos = 0; xPos < shape[2]; xPos++) {
                    for (int c = 0; c < channels; c++) {
                        expectedOut[index(shape, n, y, xPos, c)] += bias.getDouble(c);
                    }
                    for (int ky = 0; ky < K; ky++) {
                        for (int kx = 0; kx < K; kx++) {
                            int yy = y + ky - PAD;
                            int xx = xPos + kx - PAD;
                            if (yy < 0 || yy >= shape[1] || xx < 0 || xx >= shape[2]) {
                                continue;
                            }
                            for (int c = 0; c < channels; c++) {
                                double w = kernel.getDouble(ky, kx, c, 0);
                                expectedOut[index(shape, n, y, xPos, c)] += w * x.getDouble(n, yy, xx, c);
                                expectedInputGradient[index(shape, n, yy, xx, c)] += w * d.getDouble(n, y, xPos, c);
                                expectedKernelGradient[(ky * K + kx) * channels + c] += d.getDouble(n, y, xPos, c) * x.getDouble(n, yy, xx, c);
                            }
                        }
                    }
                }
            }
        }
        double tolerance = type == DataType.DOUBLE ? DOUBLE_TOLERANCE : TOLERANCE;
        String name = kernels instanceof JavaKernels java ? "java, " + java.describeChoices() : kernels.name();
        assertClose(expectedOut, out, tolerance, name + " output");
        assertClose(expectedInputGradient, inputGradient, tolerance, name + " input gradient");
        assertClose(expectedKernelGradient, kernelGradient, tolerance, name + " kernel gradient");
    }

    private static int index(long[] shape, int n, int y, int x, int c) {
        return (int) (((n * shape[1] + y) * shape[2] + x) * shape[3] + c);
    }
}
