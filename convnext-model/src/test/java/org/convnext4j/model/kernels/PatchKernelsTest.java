package org.convnext4j.model.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The patch rearrangements of the stem and the downsampling layers against index arithmetic, for
 * each kernel implementation, on sizes that are multiples of the patch and sizes that are not (the
 * rows and columns past the last whole patch are left out, and get a zero gradient).
 */
class PatchKernelsTest {

    @ParameterizedTest
    @MethodSource("org.convnext4j.model.kernels.KernelImplementations#all")
    void channelsLastToPatchesAndBack(Kernels kernels) {
        for (long[] shape : new long[][] {{2, 8, 6, 5}, {3, 9, 7, 4}}) {
            for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
                assertRoundTrip(kernels, shape, 2, type);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("org.convnext4j.model.kernels.KernelImplementations#all")
    void imagesToPatches(Kernels kernels) {
        for (long[] shape : new long[][] {{2, 3, 8, 12}, {1, 3, 13, 10}}) {
            int k = 4;
            INDArray images = Nd4j.rand(DataType.FLOAT, shape);
            long bands = shape[2] / k;
            long perBand = shape[3] / k;
            INDArray patches = Nd4j.create(DataType.FLOAT, shape[0] * bands * perBand, (long) k * k * shape[1]);
            kernels.imagesToPatches(images, k, patches);
            for (int n = 0; n < shape[0]; n++) {
                for (int by = 0; by < bands; by++) {
                    for (int bx = 0; bx < perBand; bx++) {
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                for (int c = 0; c < shape[1]; c++) {
                                    long row = (n * bands + by) * perBand + bx;
                                    long column = (ky * k + kx) * shape[1] + c;
                                    assertEquals(images.getFloat(n, c, by * k + ky, bx * k + kx), patches.getFloat(row, column),
                                            kernels.name() + " patch " + row + " column " + column);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static void assertRoundTrip(Kernels kernels, long[] shape, int k, DataType type) {
        INDArray input = Nd4j.rand(type, shape);
        long bands = shape[1] / k;
        long perBand = shape[2] / k;
        long channels = shape[3];
        INDArray patches = Nd4j.create(type, shape[0] * bands * perBand, k * k * channels);
        kernels.toPatches(input, k, patches);
        for (int n = 0; n < shape[0]; n++) {
            for (int by = 0; by < bands; by++) {
                for (int bx = 0; bx < perBand; bx++) {
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            for (int c = 0; c < channels; c++) {
                                long row = (n * bands + by) * perBand + bx;
                                long column = (ky * k + kx) * channels + c;
                                assertEquals(input.getDouble(n, by * k + ky, bx * k + kx, c), patches.getDouble(row, column),
                                        kernels.name() + " " + type + " patch " + row + " column " + column);
                            }
                        }
                    }
                }
            }
        }
        INDArray back = Nd4j.valueArrayOf(shape, 7.0, type);   // every element must be written
        kernels.fromPatches(patches, k, back);
        for (int n = 0; n < shape[0]; n++) {
            for (int y = 0; y < shape[1]; y++) {
                for (int x = 0; x < shape[2]; x++) {
                    for (int c = 0; c < channels; c++) {
                        boolean covered = y < bands * k && x < perBand * k;
                        assertEquals(covered ? input.getDouble(n, y, x, c) : 0.0, back.getDouble(n, y, x, c),
                                kernels.name() + " " + type + " back at " + n + "," + y + "," + x + "," + c);
                    }
                }
            }
        }
    }
}
