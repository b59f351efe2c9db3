package org.convnext4j.model.kernels.java;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The rearrangements behind the stem's and the downsampling layers' k×k, stride-k convolutions:
 * each k×k patch of the input as one row of k·k·C values (space-to-depth, columns in the (ky, kx,
 * c) order of the YXIO weight), and back, so that the convolution is a matrix product over
 * patches; see {@link org.convnext4j.model.kernels.Kernels#toPatches}. Rows and columns past the
 * last whole patch are left out, as a VALID convolution leaves them.
 */
final class Patchify {

    // Working-array slots.
    private static final int BAND = 0;
    private static final int PATCH_ROWS = 1;

    private Patchify() {
    }

    /** Copies each k×k patch of the NHWC {@code input} into one row of {@code patches} (space-to-depth). */
    static void toPatches(INDArray input, int k, INDArray patches) {
        rearrange(input, patches, k, true);
    }

    /**
     * As {@link #toPatches}, for channels-first (NCHW) images: each k×k patch's values in the same
     * (ky, kx, c) column order, gathered straight from the image rows, so the stem needs no
     * channels-last copy of its input first.
     */
    static void imagesToPatches(INDArray images, int k, INDArray patches) {
        DataType type = RowChunks.checkedType(images, patches);
        int channels = (int) images.size(1);
        long height = images.size(2);
        int width = (int) images.size(3);
        long bands = height / k;
        int patchesPerBand = width / k;
        int bandLength = channels * k * width;   // (c, ky, x): the band's k rows of each channel
        int patchRowsLength = patchesPerBand * k * k * channels;
        Buffer source = buffer(images);
        Buffer target = buffer(patches);
        RowChunks.forEach(images.size(0) * bands, bandLength, chunk -> {
            Object band = workingArray(type, BAND, bandLength);
            Object patchRows = workingArray(type, PATCH_ROWS, patchRowsLength);
            for (int r = 0; r < chunk.rows(); r++) {
                long index = chunk.firstRow() + r;
                long image = index / bands;
                long firstImageRow = (index % bands) * k;
                for (int c = 0; c < channels; c++) {
                    long rowsStart = ((image * channels + c) * height + firstImageRow) * width;
                    copy(source, rowsStart, band, c * k * width, k * width);
                }
                gather(band, patchRows, channels, k, width, patchesPerBand);
                copy(patchRows, patchRowsLength, target, index * patchRowsLength);
            }
        });
    }

    /**
     * Band (c, ky, x) to patch rows (j, ky, kx, c): each image row's values go to every C-th place,
     * as the channels interleave, so the copy is element by element, in typed loops.
     */
    private static void gather(Object band, Object patchRows, int channels, int k, int width, int patchesPerBand) {
        if (band instanceof float[] floats) {
            gatherFloats(floats, (float[]) patchRows, channels, k, width, patchesPerBand);
        } else {
            gatherDoubles((double[]) band, (double[]) patchRows, channels, k, width, patchesPerBand);
        }
    }

    private static void gatherFloats(float[] band, float[] patchRows, int channels, int k, int width, int patchesPerBand) {
        int patchLength = k * k * channels;
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < k; ky++) {
                int from = (c * k + ky) * width;
                int to = ky * k * channels + c;
                for (int j = 0; j < patchesPerBand; j++) {
                    for (int kx = 0; kx < k; kx++) {
                        patchRows[to + j * patchLength + kx * channels] = band[from + j * k + kx];
                    }
                }
            }
        }
    }

    private static void gatherDoubles(double[] band, double[] patchRows, int channels, int k, int width, int patchesPerBand) {
        int patchLength = k * k * channels;
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < k; ky++) {
                int from = (c * k + ky) * width;
                int to = ky * k * channels + c;
                for (int j = 0; j < patchesPerBand; j++) {
                    for (int kx = 0; kx < k; kx++) {
                        patchRows[to + j * patchLength + kx * channels] = band[from + j * k + kx];
                    }
                }
            }
        }
    }

    /**
     * The inverse of {@link #toPatches}: writes each row of {@code patches} back to its k×k patch of
     * the NHWC array {@code gradient}; rows and columns outside every patch are set to zero.
     */
    static void fromPatches(INDArray patches, int k, INDArray gradient) {
        if (gradient.size(1) % k != 0 || gradient.size(2) % k != 0) {
            gradient.assign(0);
        }
        rearrange(gradient, patches, k, false);
    }

    /**
     * Moves data between the NHWC array and the patch matrix, one band of k input rows (one row of
     * patches) at a time: in the band, input row ky, patch column j is k·C contiguous values, which
     * go to offset ky·k·C of patch j's row. Bands run in parallel; each writes its own rows only.
     */
    private static void rearrange(INDArray nhwc, INDArray patches, int k, boolean intoPatches) {
        DataType type = RowChunks.checkedType(nhwc, patches);
        long height = nhwc.size(1);
        int width = (int) nhwc.size(2);
        int channels = (int) nhwc.size(3);
        long bands = height / k;
        int patchesPerBand = width / k;
        int bandLength = k * width * channels;
        int patchRowsLength = patchesPerBand * k * k * channels;
        int run = k * channels;
        // Written back whole, a band must first hold what lies outside its patches (the zeros set above).
        boolean readBand = intoPatches || width % k != 0;
        Buffer bandsBuffer = buffer(nhwc);
        Buffer patchesBuffer = buffer(patches);
        RowChunks.forEach(nhwc.size(0) * bands, bandLength, chunk -> {
            Object band = workingArray(type, BAND, bandLength);
            Object patchRows = workingArray(type, PATCH_ROWS, patchRowsLength);
            for (int r = 0; r < chunk.rows(); r++) {
                long index = chunk.firstRow() + r;
                long bandStart = ((index / bands) * height + (index % bands) * k) * width * channels;
                long patchStart = index * patchRowsLength;
                if (readBand) {
                    copy(bandsBuffer, bandStart, band, 0, bandLength);
                }
                if (!intoPatches) {
                    copy(patchesBuffer, patchStart, patchRows, 0, patchRowsLength);
                }
                for (int ky = 0; ky < k; ky++) {
                    for (int j = 0; j < patchesPerBand; j++) {
                        int inBand = ky * width * channels + j * run;
                        int inPatches = (j * k + ky) * run;
                        if (intoPatches) {
                            System.arraycopy(band, inBand, patchRows, inPatches, run);
                        } else {
                            System.arraycopy(patchRows, inPatches, band, inBand, run);
                        }
                    }
                }
                if (intoPatches) {
                    copy(patchRows, patchRowsLength, patchesBuffer, patchStart);
                } else {
                    copy(band, bandLength, bandsBuffer, bandStart);
                }
            }
        });
    }

    /** This thread's float or double working array number {@code slot}, at least {@code length} long. */
    private static Object workingArray(DataType type, int slot, int length) {
        return type == DataType.FLOAT ? RowChunks.floats(slot, length) : RowChunks.doubles(slot, length);
    }

    /** The array's memory, fetched once per call and shared by its bands (see {@link RowChunks#floatBuffer}). */
    private static Buffer buffer(INDArray array) {
        return array.dataType() == DataType.FLOAT ? RowChunks.floatBuffer(array) : RowChunks.doubleBuffer(array);
    }

    /** {@code length} elements from element {@code first} of {@code from} into {@code into} at {@code offset}. */
    private static void copy(Buffer from, long first, Object into, int offset, int length) {
        if (into instanceof float[] floats) {
            ((FloatBuffer) from).get(Math.toIntExact(first), floats, offset, length);
        } else {
            ((DoubleBuffer) from).get(Math.toIntExact(first), (double[]) into, offset, length);
        }
    }

    /** The first {@code length} elements of {@code from} into {@code into} from element {@code first} on. */
    private static void copy(Object from, int length, Buffer into, long first) {
        if (from instanceof float[] floats) {
            ((FloatBuffer) into).put(Math.toIntExact(first), floats, 0, length);
        } else {
            ((DoubleBuffer) into).put(Math.toIntExact(first), (double[]) from, 0, length);
        }
    }
}
