package org.convnext4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageDecoderTest {

    @TempDir
    Path dir;

    static Stream<String> photos() {
        return Stream.of(Fixtures.PHOTOS);
    }

    /**
     * Measures ImageIO's JPEG decoding against PIL's. libjpeg versions may differ by a level; the
     * rocket's embedded ICC profile must not be applied (ImageIO would, by default, by ~5 levels).
     */
    @ParameterizedTest
    @MethodSource("photos")
    void jpegPhotosDecodeLikePil(String photo) throws IOException {
        BufferedImage pil = Fixtures.reference("eval-fixtures/decoded/" + photo + ".png");

        BufferedImage decoded = ImageDecoder.readRgb(Fixtures.path("photos/" + photo + ".jpg"));

        Fixtures.Difference difference = Fixtures.compare(decoded, pil);

        String report = photo + ".jpg decoded by ImageIO vs PIL: " + difference;
        System.out.println(report);
        assertEquals(BufferedImage.TYPE_INT_RGB, decoded.getType());
        assertTrue(difference.max() <= 1 && difference.mean() <= 0.02, report);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rgba.png", "palette.png", "gray-alpha.png"})
    void pngsDecodeExactlyAsPilConvertRgb(String name) throws IOException {
        BufferedImage decoded = ImageDecoder.readRgb(Fixtures.path("eval-fixtures/inputs/" + name));

        assertEquals(BufferedImage.TYPE_INT_RGB, decoded.getType());
        assertEquals(0, Fixtures.compare(decoded, Fixtures.reference("eval-fixtures/decoded/" + name)).max(), name);
    }

    /**
     * Pillow reads every four-channel JPEG as inverted CMYK (YCCK converted by libjpeg first),
     * with or without an Adobe marker, and converts it to RGB with its own integer formula.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cmyk", "ycck", "cmyk-no-adobe"})
    void cmykAndYcckJpegsDecodeExactlyAsPilConvertRgb(String name) throws IOException {
        BufferedImage decoded = ImageDecoder.readRgb(Fixtures.path("eval-fixtures/inputs/" + name + ".jpg"));

        Fixtures.Difference difference =
                Fixtures.compare(decoded, Fixtures.reference("eval-fixtures/decoded/" + name + ".png"));
        System.out.println(name + ".jpg decoded vs PIL: " + difference);
        assertEquals(BufferedImage.TYPE_INT_RGB, decoded.getType());
        assertEquals(0, difference.max(), name);
    }

    @Test
    void sixteenBitGreyKeepsTheHighByte() throws IOException {
        BufferedImage decoded = ImageDecoder.readRgb(Fixtures.path("eval-fixtures/inputs/gray16.png"));

        BufferedImage expected = Fixtures.reference("eval-fixtures/decoded/gray16-high-byte.png");
        assertEquals(0, Fixtures.compare(decoded, expected).max());
    }

    @ParameterizedTest
    @ValueSource(strings = {"photos/cat-landscape.jpg", "eval-fixtures/inputs/ycck.jpg"})
    void truncatedJpegIsRefused(String resource) throws IOException {
        byte[] jpeg = Files.readAllBytes(Fixtures.path(resource));
        Path file = Files.write(dir.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));

        assertRefused(file, "truncated");
    }

    @Test
    void truncatedPngIsRefused() throws IOException {
        byte[] png = Files.readAllBytes(Fixtures.path("eval-fixtures/inputs/rgba.png"));
        Path file = Files.write(dir.resolve("truncated.png"), Arrays.copyOf(png, png.length / 2));

        assertRefused(file, "PNG");
    }

    @Test
    void textFileNamedJpgIsRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("notes.jpg"), "not an image\n", StandardCharsets.US_ASCII);

        assertRefused(file, "format");
    }

    @Test
    void missingFileIsRefused() {
        assertRefused(dir.resolve("missing.jpg"), "no such file");
    }

    @Test
    void oversizedImageIsRefusedFromItsHeader() throws IOException {
        // Only a header: the limit must be checked before any pixel data is read.
        Path file = Files.write(dir.resolve("bomb.png"), pngHeader(20_000, 20_000));

        assertRefused(file, "20000x20000");
    }

    /** Under the pixel limit, but 16-bit RGBA: the memory it would take to decode is refused from the header. */
    @Test
    void imageTooLargeToDecodeIsRefusedFromItsHeader() throws IOException {
        Path file = Files.write(dir.resolve("deep.png"), pngHeader(12_000, 12_000, 16, 6));
        assertTrue(12_000L * 12_000 < ImageDecoder.MAX_PIXELS);

        assertRefused(file, "12000x12000 at 8 bytes per pixel would take 1728000000 bytes to decode");
        // the same size in 8-bit grey gets past the limit (and then fails on the missing pixel data)
        Path grey = Files.write(dir.resolve("grey.png"), pngHeader(12_000, 12_000, 8, 0));
        IOException e = assertThrows(IOException.class, () -> ImageDecoder.readRgb(grey));
        assertFalse(e.getMessage().contains("to decode"), e.getMessage());
    }

    private static void assertRefused(Path file, String reason) {
        IOException e = assertThrows(IOException.class, () -> ImageDecoder.readRgb(file));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    /** PNG signature and an IHDR chunk for an 8-bit RGB image of the given size. */
    private static byte[] pngHeader(int width, int height) throws IOException {
        return pngHeader(width, height, 8, 2);
    }

    /** PNG signature and an IHDR chunk: the size, bit depth and colour type (0 grey, 2 RGB, 6 RGBA). */
    private static byte[] pngHeader(int width, int height, int bitDepth, int colourType) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        DataOutputStream ihdr = new DataOutputStream(chunk);
        ihdr.writeBytes("IHDR");
        ihdr.writeInt(width);
        ihdr.writeInt(height);
        ihdr.write(new byte[] {(byte) bitDepth, (byte) colourType, 0, 0, 0});
        CRC32 crc = new CRC32();
        crc.update(chunk.toByteArray());
        out.writeInt(13);
        out.write(chunk.toByteArray());
        out.writeInt((int) crc.getValue());
        return bytes.toByteArray();
    }
}
