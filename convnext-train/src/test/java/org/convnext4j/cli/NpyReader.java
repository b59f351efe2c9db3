package org.convnext4j.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a 2-D little-endian float32 or float64 .npy (what numpy.save and Nd4j.writeAsNumpy write), for tests. */
final class NpyReader {

    private static final Pattern SHAPE = Pattern.compile("'shape': \\((\\d+), (\\d+)\\)");

    private NpyReader() {
    }

    static double[][] read(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        String dict = header(buf);
        Matcher m = SHAPE.matcher(dict);
        if (!m.find() || dict.contains("'fortran_order': True")) {
            throw new IOException(file + ": unsupported npy header " + dict);
        }
        boolean f8 = dict.contains("'<f8'");
        if (!f8 && !dict.contains("'<f4'")) {
            throw new IOException(file + ": unsupported dtype in " + dict);
        }
        double[][] rows = new double[Integer.parseInt(m.group(1))][Integer.parseInt(m.group(2))];
        for (double[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                row[c] = f8 ? buf.getDouble() : buf.getFloat();
            }
        }
        return rows;
    }

    /** The format 1.0 header's dictionary, e.g. {@code {'descr': '<f4', 'fortran_order': False, 'shape': (5, 3), }}. */
    static String header(Path file) throws IOException {
        return header(ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN));
    }

    /** Reads the magic, the version and the header, leaving {@code buf} at the data. */
    private static String header(ByteBuffer buf) throws IOException {
        byte[] magic = new byte[8];
        buf.get(magic);
        if (!new String(magic, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY") || magic[6] != 1 || magic[7] != 0) {
            throw new IOException("not a format 1.0 npy file");
        }
        byte[] header = new byte[Short.toUnsignedInt(buf.getShort())];
        buf.get(header);
        return new String(header, StandardCharsets.US_ASCII).strip();
    }
}
