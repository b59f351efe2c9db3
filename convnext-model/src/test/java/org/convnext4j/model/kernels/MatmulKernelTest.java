package org.convnext4j.model.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@code matmul} of each kernel implementation against a plain triple loop in double, for every
 * transpose combination, narrow and wide outputs, both dtypes, and operands that are views into
 * larger arrays (an offset and a row stride above the row length).
 */
class MatmulKernelTest {

    static Stream<Arguments> cases() {
        return KernelImplementations.all().flatMap(kernels -> Stream.of(DataType.FLOAT, DataType.DOUBLE).flatMap(type ->
                Stream.of(false, true).flatMap(transposeA -> Stream.of(false, true).flatMap(transposeB ->
                        Stream.of(24, 200).flatMap(columns -> Stream.of(false, true).map(views ->
                                Arguments.of(kernels, type, transposeA, transposeB, columns, views)))))));
    }

    @ParameterizedTest(name = "{0} {1} tA={2} tB={3} n={4} views={5}")
    @MethodSource("cases")
    void matchesPlainLoops(Kernels kernels, DataType type, boolean transposeA, boolean transposeB, int n, boolean views) {
        int m = 37;
        int k = 53;
        Nd4j.getRandom().setSeed(m * 1000L + n);
        INDArray a = operand(transposeA ? k : m, transposeA ? m : k, type, views);
        INDArray b = operand(transposeB ? n : k, transposeB ? k : n, type, views);
        INDArray c = operand(m, n, type, views);
        double alpha = 0.5;

        kernels.matmul(a, b, c, transposeA, transposeB, alpha);

        double worst = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += (transposeA ? a.getDouble(p, i) : a.getDouble(i, p)) * (transposeB ? b.getDouble(j, p) : b.getDouble(p, j));
                }
                worst = Math.max(worst, Math.abs(c.getDouble(i, j) - alpha * sum));
            }
        }
        assertTrue(worst < (type == DataType.FLOAT ? 2e-5 : 1e-12), kernels.name() + " off by " + worst);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.convnext4j.model.kernels.KernelImplementations#all")
    void writesOnlyItsOwnViewOfALargerArray(Kernels kernels) {
        INDArray whole = Nd4j.zeros(DataType.FLOAT, 10, 300).addi(7);
        INDArray c = whole.get(NDArrayIndex.interval(2, 6), NDArrayIndex.interval(50, 250));
        INDArray a = Nd4j.rand(DataType.FLOAT, 4, 8);
        INDArray b = Nd4j.rand(DataType.FLOAT, 8, 200);

        kernels.matmul(a, b, c, false, false, 1.0);

        assertTrue(a.mmul(b).equalsWithEps(c, 1e-5), "the product lands in the view");
        INDArray untouched = whole.dup();
        untouched.get(NDArrayIndex.interval(2, 6), NDArrayIndex.interval(50, 250)).assign(7);
        assertTrue(untouched.eq(7).all(), "nothing outside the view is written");
    }

    /** A random (rows, columns) operand: a fresh array, or a view with an offset and a longer row stride. */
    private static INDArray operand(int rows, int columns, DataType type, boolean view) {
        if (!view) {
            return Nd4j.rand(type, rows, columns).subi(0.5);
        }
        INDArray whole = Nd4j.rand(type, rows + 3, columns + 5).subi(0.5);
        return whole.get(NDArrayIndex.interval(2, 2 + rows), NDArrayIndex.interval(3, 3 + columns));
    }
}
