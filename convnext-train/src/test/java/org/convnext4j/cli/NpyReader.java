package org.convnext4j.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a 2-D little-endian float32 or float64 .npy (what numpy.save and {@link NpyFile} write), for tests. */
final class NpyReader {

    private static final Pattern SHAPE = Pattern.compile("'shape': \\((\\d+), (\\d+)\\)");

    private NpyReader() {
    }

    static double[][] read(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        buf.position(8);
        int headerLength = Short.toUnsignedInt(buf.getShort());
        byte[] header = new byte[headerLength];
        buf.get(header);
        String dict = new String(header, StandardCharsets.US_ASCII);
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
}
