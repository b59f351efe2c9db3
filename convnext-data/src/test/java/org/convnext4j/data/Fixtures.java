package org.convnext4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * The committed photos and the PIL/torchvision references made by generate_eval_fixtures.py and
 * generate_augment_fixtures.py.
 */
public final class Fixtures {

    public static final String[] PHOTOS = {"cat-landscape", "rocket-portrait", "camera-gray"};

    private Fixtures() {
    }

    public static Path path(String resource) {
        URL url = Fixtures.class.getResource("/" + resource);
        if (url == null) {
            throw new IllegalStateException("missing test resource " + resource
                    + "; run the generate_*_fixtures.py script of its folder");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads a reference PNG with plain ImageIO, independently of ImageDecoder. The generator writes
     * these as 8-bit RGB, where ImageIO's getRGB applies no colour conversion.
     */
    public static BufferedImage reference(String resource) throws IOException {
        BufferedImage png = ImageIO.read(path(resource).toFile());
        assertEquals(BufferedImage.TYPE_3BYTE_BGR, png.getType(), resource + " must be 8-bit RGB");
        int width = png.getWidth();
        int height = png.getHeight();
        BufferedImage rgb = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, width, height, png.getRGB(0, 0, width, height, null, 0, width), 0, width);
        return rgb;
    }

    /** Per-sample absolute differences of two RGB images of equal size, in 8-bit levels. */
    public static Difference compare(BufferedImage actual, BufferedImage expected) {
        assertEquals(expected.getWidth(), actual.getWidth(), "width");
        assertEquals(expected.getHeight(), actual.getHeight(), "height");
        int width = expected.getWidth();
        int height = expected.getHeight();
        int[] a = actual.getRGB(0, 0, width, height, null, 0, width);
        int[] e = expected.getRGB(0, 0, width, height, null, 0, width);
        int max = 0;
        long sum = 0;
        int differing = 0;
        for (int i = 0; i < a.length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                int d = Math.abs(((a[i] >> shift) & 0xFF) - ((e[i] >> shift) & 0xFF));
                max = Math.max(max, d);
                sum += d;
                differing += d == 0 ? 0 : 1;
            }
        }
        return new Difference(max, (double) sum / (3.0 * a.length), differing, 3 * a.length);
    }

    public record Difference(int max, double mean, int differing, int samples) {
        @Override
        public String toString() {
            return String.format("max %d, mean %.5f levels, %d of %d samples differ", max, mean, differing, samples);
        }
    }
}
