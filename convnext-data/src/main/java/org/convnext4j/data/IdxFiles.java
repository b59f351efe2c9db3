package org.convnext4j.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files MNIST and Fashion-MNIST ship in: a big-endian header, a magic number giving
 * the element type (0x08 = unsigned byte) and the number of dimensions, one 32-bit size per
 * dimension, then the elements. Gzip-compressed files (recognised by their first bytes) are read
 * through a decompressor. Headers are checked against the data before anything is trusted: errors
 * are one-line {@link IOException}s naming the file.
 */
public final class IdxFiles {

    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;
    private static final int GZIP_MAGIC = 0x1F8B;
    /** The most bytes an array can hold, less a margin some JVMs keep. */
    private static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    /** {@code count} grey images of {@code rows}×{@code cols}, row-major, one unsigned byte per pixel. */
    public record Images(int count, int rows, int cols, byte[] pixels) {

        /** Pixel (row, col) of image {@code index}, in 0..255. */
        public int pixel(int index, int row, int col) {
            return pixels[(index * rows + row) * cols + col] & 0xFF;
        }
    }

    private IdxFiles() {
    }

    public static Images readImages(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            requireMagic(file, readHeaderInt(file, in), IMAGES_MAGIC, "images (unsigned bytes, 3 dimensions)");
            int count = readHeaderInt(file, in);
            int rows = readHeaderInt(file, in);
            int cols = readHeaderInt(file, in);
            if (count < 0 || rows <= 0 || cols <= 0) {
                throw new IOException(file + ": invalid IDX image header: " + count + " images of " + rows + "x" + cols);
            }
            byte[] pixels = readBody(file, in, (long) count * rows * cols,
                    count + " images of " + rows + "x" + cols);
            return new Images(count, rows, cols, pixels);
        }
    }

    /** The labels, each in 0..255. */
    public static int[] readLabels(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            requireMagic(file, readHeaderInt(file, in), LABELS_MAGIC, "labels (unsigned bytes, 1 dimension)");
            int count = readHeaderInt(file, in);
            if (count < 0) {
                throw new IOException(file + ": invalid IDX label header: " + count + " labels");
            }
            byte[] bytes = readBody(file, in, count, count + " labels");
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = bytes[i] & 0xFF;
            }
            return labels;
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file");
        }
        BufferedInputStream raw = new BufferedInputStream(Files.newInputStream(file));
        raw.mark(2);
        int first = raw.read();
        int second = raw.read();
        raw.reset();
        boolean gzip = ((first << 8) | second) == GZIP_MAGIC;
        try {
            InputStream data = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
            return new DataInputStream(new BufferedInputStream(data, 1 << 16));
        } catch (IOException e) {
            raw.close();
            throw new IOException(file + ": corrupt gzip header (" + e.getMessage() + ")", e);
        }
    }

    private static void requireMagic(Path file, int magic, int expected, String what) throws IOException {
        if (magic != expected) {
            throw new IOException(String.format("%s: not an IDX file of %s: magic number 0x%08X, expected 0x%08X",
                    file, what, magic, expected));
        }
    }

    private static int readHeaderInt(Path file, DataInputStream in) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new IOException(file + ": truncated IDX header");
        } catch (ZipException e) {
            throw new IOException(file + ": corrupt gzip data (" + e.getMessage() + ")", e);
        }
    }

    /** Reads exactly {@code length} bytes and requires the file to end there. */
    private static byte[] readBody(Path file, DataInputStream in, long length, String what) throws IOException {
        if (length > MAX_BYTES) {
            throw new IOException(file + ": header declares " + what + ", " + length + " bytes, more than can be read");
        }
        // A gzip file of a few megabytes can declare and inflate to gigabytes: what this process cannot
        // hold twice over (the body, and what it becomes) is refused before reading.
        long holdable = Runtime.getRuntime().maxMemory() / 4;
        if (length > holdable) {
            throw new IOException(file + ": header declares " + what + ", " + length + " bytes, more than this process"
                    + " can hold (a quarter of its " + Runtime.getRuntime().maxMemory() + "-byte heap; raise it with -Xmx)");
        }
        try {
            byte[] body = in.readNBytes((int) length);
            if (body.length < length) {
                throw new IOException(file + ": truncated: the header declares " + what + " (" + length
                        + " bytes) but only " + body.length + " bytes follow");
            }
            if (in.read() != -1) {
                throw new IOException(file + ": more data than the header's " + what + " (" + length + " bytes)");
            }
            return body;
        } catch (EOFException | ZipException e) {
            // A gzip stream cut short or damaged fails inside the decompressor, before readNBytes returns.
            throw new IOException(file + ": truncated or corrupt gzip data (" + e.getMessage() + ")", e);
        } catch (OutOfMemoryError e) {
            throw new IOException(file + ": not enough memory to read " + what + " (" + length + " bytes)", e);
        }
    }
}
