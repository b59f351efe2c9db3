package org.convnext4j.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes image files to 8-bit RGB with the pixel values PIL's {@code Image.open(f).convert("RGB")}
 * gives, so that models trained with torchvision see the same inputs here.
 *
 * <p>Samples are taken raw from the decoded raster, never through Java's colour management: PIL
 * ignores embedded ICC profiles and treats grey as plain R = G = B, while Java would gamma-convert
 * linear-grey images and apply ICC profiles. Alpha is dropped without compositing, as PIL does.
 * 16-bit samples keep their high byte (PIL does the same for 16-bit RGB; for 16-bit grey PIL clips
 * to 255 instead, which we deliberately do not copy). CMYK and YCCK JPEGs are converted as Pillow
 * converts them (see {@link CmykJpeg}).
 */
public final class ImageDecoder {

    /** PIL's {@code Image.MAX_IMAGE_PIXELS}: anything larger is refused before its pixels are decoded. */
    public static final long MAX_PIXELS = 178_956_970L;
    /**
     * The memory a decode may take, the decoded samples and their RGB copy together, refused before
     * it is allocated (one and a half gibibytes): an 8-bit RGB image of {@link #MAX_PIXELS} needs
     * 1.25 GB, a 16-bit RGBA one under the pixel limit can need 2 GB.
     */
    public static final long MAX_DECODED_BYTES = 3L << 29;
    /** How long one decode may take: ImageIO's readers have looped forever on malformed files before. */
    public static final Duration MAX_DECODE_TIME = Duration.ofSeconds(60);

    private ImageDecoder() {
    }

    /**
     * Reads the first image in {@code file} as {@code TYPE_INT_RGB}.
     *
     * @throws IOException with a one-line message naming the file when it is missing, in a format
     *     ImageIO cannot read, truncated or corrupt, larger than {@link #MAX_PIXELS} or
     *     {@link #MAX_DECODED_BYTES}, or still decoding after {@link #MAX_DECODE_TIME}
     */
    public static BufferedImage readRgb(Path file) throws IOException {
        return TimeLimit.run(() -> readRgbHere(file), MAX_DECODE_TIME, "Cannot read image " + file);
    }

    /** {@link #readRgb} on the calling thread, without the time limit. */
    private static BufferedImage readRgbHere(Path file) throws IOException {
        try {
            return toRgb(decode(file));
        } catch (IOException | RuntimeException e) {
            // ImageIO readers throw unchecked exceptions on some malformed files as well.
            throw new IOException("Cannot read image " + file + ": " + reason(e), e);
        } catch (OutOfMemoryError e) {
            // The decode's own large arrays failed; what the rest of the process holds is untouched.
            throw new IOException("Cannot read image " + file + ": not enough memory to decode it", e);
        }
    }

    private static BufferedImage decode(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no such file");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new IOException("cannot open the file");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException("not in an image format ImageIO can read");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return readChecked(reader);
            } finally {
                reader.dispose();
            }
        }
    }

    private static BufferedImage readChecked(ImageReader reader) throws IOException {
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        long pixels = (long) width * height;
        if (pixels > MAX_PIXELS) {
            throw new IOException(width + "x" + height + " = " + pixels
                    + " pixels is above the limit of " + MAX_PIXELS + " (possible decompression bomb)");
        }
        long decodedBytes = pixels * (bytesPerPixel(reader) + Integer.BYTES);   // the samples, then their int RGB copy
        if (decodedBytes > MAX_DECODED_BYTES) {
            throw new IOException(width + "x" + height + " at " + bytesPerPixel(reader) + " bytes per pixel would take "
                    + decodedBytes + " bytes to decode, above the limit of " + MAX_DECODED_BYTES);
        }
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        BufferedImage image = readPixels(reader, width, height);
        // ImageIO decodes a truncated JPEG with the missing part grey and only warns; PIL refuses it.
        // Other warnings (stray bytes, bad ICC profiles) are ignored, as PIL ignores them.
        for (String warning : warnings) {
            String lower = warning.toLowerCase(Locale.ROOT);
            if (lower.contains("truncated") || lower.contains("premature end of jpeg file")) {
                throw new IOException("truncated file (" + warning + ")");
            }
        }
        return image;
    }

    /** Bytes per pixel of the decoded samples, from the header (the widest type the reader offers). */
    private static long bytesPerPixel(ImageReader reader) throws IOException {
        ImageTypeSpecifier type = reader.getRawImageType(0);
        if (type == null) {
            Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
            type = types.hasNext() ? types.next() : null;
        }
        if (type == null) {
            return Integer.BYTES;
        }
        int bits = 0;
        for (int size : type.getSampleModel().getSampleSize()) {
            bits += size;
        }
        return Math.max(1, (bits + 7) / 8);
    }

    private static BufferedImage readPixels(ImageReader reader, int width, int height) throws IOException {
        if (!"jpeg".equalsIgnoreCase(reader.getFormatName())) {
            return reader.read(0);
        }
        ImageTypeSpecifier raw = reader.getRawImageType(0);
        if (raw != null) {
            return readJpeg(reader, raw.getNumBands(), width, height);
        }
        // The JDK has no image type for CMYK and YCCK JPEGs.
        return CmykJpeg.hasFourComponents(reader) ? CmykJpeg.readRgb(reader) : reader.read(0);
    }

    /**
     * Reads a grey or three-component JPEG into a byte image of our own, bands in libjpeg's order.
     *
     * <p>Selecting bands, even all of them in order, makes ImageIO keep libjpeg's output as it is
     * (JPEGImageReader.checkColorConversion returns early): otherwise it would convert JPEGs with
     * an embedded ICC profile (Adobe RGB photos, say) to sRGB, which PIL does not do. And libjpeg's
     * rows are copied whole into a destination in their own band order, where ImageIO's default
     * BGR image is filled sample by sample, which is slower even with the packing to int RGB counted.
     */
    private static BufferedImage readJpeg(ImageReader reader, int bands, int width, int height) throws IOException {
        int[] allBands = IntStream.range(0, bands).toArray();
        ColorSpace space = ColorSpace.getInstance(bands == 1 ? ColorSpace.CS_GRAY : ColorSpace.CS_sRGB);
        BufferedImage samples = ImageTypeSpecifier
                .createInterleaved(space, allBands, DataBuffer.TYPE_BYTE, false, false)
                .createBufferedImage(width, height);
        ImageReadParam param = reader.getDefaultReadParam();
        param.setSourceBands(allBands);
        param.setDestinationBands(allBands);
        param.setDestination(samples);
        reader.read(0, param);
        byte[] bytes = ((DataBufferByte) samples.getRaster().getDataBuffer()).getData();
        BufferedImage rgb = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] out = ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
        for (int i = 0, at = 0; i < out.length; i++, at += bands) {
            int r = bytes[at] & 0xFF;
            int g = bands == 1 ? r : bytes[at + 1] & 0xFF;
            int b = bands == 1 ? r : bytes[at + 2] & 0xFF;
            out[i] = (r << 16) | (g << 8) | b;
        }
        return rgb;
    }

    private static BufferedImage toRgb(BufferedImage image) throws IOException {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        ColorModel model = image.getColorModel();
        Raster raster = image.getRaster();
        int width = image.getWidth();
        int height = image.getHeight();
        BufferedImage rgb = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        // Written directly: setRGB would take every pixel through the colour model.
        int[] out = ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
        if (model instanceof IndexColorModel palette) {
            int[] indices = new int[width];
            for (int y = 0; y < height; y++) {
                raster.getSamples(0, y, width, 1, 0, indices);
                for (int x = 0; x < width; x++) {
                    out[y * width + x] = palette.getRGB(indices[x]) & 0xFFFFFF;
                }
            }
        } else if (model instanceof ComponentColorModel) {
            int colours = model.getNumColorComponents();
            int transfer = model.getTransferType();
            if (colours != 1 && colours != 3) {
                throw new IOException("unsupported image with " + colours + " colour components");
            }
            if (transfer != DataBuffer.TYPE_BYTE && transfer != DataBuffer.TYPE_USHORT) {
                throw new IOException("unsupported sample type " + transfer);
            }
            int[] bits = model.getComponentSize();
            int bands = raster.getNumBands();
            int[] samples = new int[width * bands];
            for (int y = 0; y < height; y++) {
                raster.getPixels(0, y, width, 1, samples);
                for (int x = 0; x < width; x++) {
                    int at = x * bands;
                    int r = to8Bits(samples[at], bits[0]);
                    int g = colours == 1 ? r : to8Bits(samples[at + 1], bits[1]);
                    int b = colours == 1 ? r : to8Bits(samples[at + 2], bits[2]);
                    out[y * width + x] = (r << 16) | (g << 8) | b;
                }
            }
        } else {
            // Packed models (INT_ARGB, 565 BMPs) come from ImageIO in sRGB only, where getRGB is exact.
            image.getRGB(0, 0, width, height, out, 0, width);
            for (int i = 0; i < out.length; i++) {
                out[i] &= 0xFFFFFF;
            }
        }
        return rgb;
    }

    private static int to8Bits(int sample, int bits) {
        if (bits >= 8) {
            return sample >>> (bits - 8);
        }
        int max = (1 << bits) - 1;
        return (sample * 255 + max / 2) / max;
    }

    private static String reason(Throwable e) {
        String reason = message(e);
        if (e.getCause() != null) {
            reason += " (" + message(e.getCause()) + ")";
        }
        return reason.replaceAll("\\s+", " ").strip();
    }

    private static String message(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
