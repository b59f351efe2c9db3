package org.convnext4j.data;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.Raster;
import java.io.IOException;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import org.w3c.dom.NodeList;

/**
 * Four-channel JPEGs, Adobe CMYK and YCCK, decoded to the RGB that Pillow 9.4's
 * {@code Image.open(f).convert("RGB")} gives.
 *
 * <p>Pillow lets libjpeg turn YCCK into CMYK, takes every CMYK JPEG as stored inverted (Adobe's
 * convention), whatever its Adobe marker says, and converts CMYK to RGB with its own integer
 * formula and no ICC profile. ImageIO's {@code readRaster} hands back the samples as stored, YCCK
 * not converted and CMYK not inverted, so both steps are done here in libjpeg's and Pillow's
 * integer arithmetic. ({@code read} would convert and invert too, but only on JDK updates since
 * JDK-8274735, and older ones refuse these files.)
 */
final class CmykJpeg {

    private static final String JPEG_METADATA = "javax_imageio_jpeg_image_1.0";
    /** libjpeg's YCbCr to RGB constants, in 16-bit fixed point. */
    private static final int SCALE_BITS = 16;
    private static final int CR_TO_R = fixed(1.40200);
    private static final int CB_TO_B = fixed(1.77200);
    private static final int CR_TO_G = fixed(0.71414);
    private static final int CB_TO_G = fixed(0.34414);

    private CmykJpeg() {
    }

    /** Whether the JPEG that {@code reader} reads has four components. */
    static boolean hasFourComponents(ImageReader reader) throws IOException {
        return attribute(reader, "sof", "numFrameComponents").equals("4");
    }

    /** Reads the first image of a four-component JPEG as {@code TYPE_INT_RGB}. */
    static BufferedImage readRgb(ImageReader reader) throws IOException {
        // libjpeg's guess: YCCK unless there is no Adobe marker or it says transform 0.
        String transform = attribute(reader, "app14Adobe", "transform");
        boolean ycck = !transform.isEmpty() && !transform.equals("0");
        Raster raster = reader.readRaster(0, null);
        int width = raster.getWidth();
        int height = raster.getHeight();
        BufferedImage rgb = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] out = ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
        int[] row = new int[4 * width];
        for (int y = 0; y < height; y++) {
            raster.getPixels(0, y, width, 1, row);
            for (int x = 0; x < width; x++) {
                int at = 4 * x;
                int black = row[at + 3];
                int pixel = ycck
                        ? inkFromYcc(row[at], row[at + 1], row[at + 2])
                        : inkFromCmyk(row[at], row[at + 1], row[at + 2]);
                out[y * width + x] = (cmykToRgb((pixel >> 16) & 0xFF, black) << 16)
                        | (cmykToRgb((pixel >> 8) & 0xFF, black) << 8)
                        | cmykToRgb(pixel & 0xFF, black);
            }
        }
        return rgb;
    }

    /** Pillow's C, M and Y of stored CMYK samples, packed like a pixel: the samples inverted. */
    private static int inkFromCmyk(int c, int m, int y) {
        return ((255 - c) << 16) | ((255 - m) << 8) | (255 - y);
    }

    /**
     * Pillow's C, M and Y of stored YCCK samples, packed like a pixel. libjpeg makes CMYK of them
     * as 255 minus the clamped RGB of the YCbCr, and Pillow inverts that, which leaves the RGB.
     */
    private static int inkFromYcc(int luma, int cb, int cr) {
        int half = 1 << (SCALE_BITS - 1);
        int blueDifference = cb - 128;
        int redDifference = cr - 128;
        int r = luma + ((CR_TO_R * redDifference + half) >> SCALE_BITS);
        int g = luma + ((-CB_TO_G * blueDifference + half - CR_TO_G * redDifference) >> SCALE_BITS);
        int b = luma + ((CB_TO_B * blueDifference + half) >> SCALE_BITS);
        return (clamp8(r) << 16) | (clamp8(g) << 8) | clamp8(b);
    }

    /**
     * Pillow's cmyk2rgb for one channel, where {@code notBlack} is 255 - K, which is the stored K
     * sample: {@code notBlack - ink * notBlack / 255} with its rounded division by 255. The
     * result is always in [0, 255], so Pillow's clamp has nothing to do.
     */
    private static int cmykToRgb(int ink, int notBlack) {
        int product = ink * notBlack + 128;
        return notBlack - (((product >> 8) + product) >> 8);
    }

    private static int clamp8(int value) {
        return Math.max(0, Math.min(255, value));
    }

    private static int fixed(double value) {
        return (int) (value * (1 << SCALE_BITS) + 0.5);
    }

    /** An attribute of the first marker segment called {@code segment}, or "" if there is none. */
    private static String attribute(ImageReader reader, String segment, String name) throws IOException {
        IIOMetadataNode tree = (IIOMetadataNode) reader.getImageMetadata(0).getAsTree(JPEG_METADATA);
        NodeList found = tree.getElementsByTagName(segment);
        return found.getLength() == 0 ? "" : ((IIOMetadataNode) found.item(0)).getAttribute(name);
    }
}
