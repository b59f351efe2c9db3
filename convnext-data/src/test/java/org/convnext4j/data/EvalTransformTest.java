package org.convnext4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class EvalTransformTest {

    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    static Stream<Arguments> torchvisionCases() {
        Object[][] settings = {{224, "0.875"}, {64, "0.875"}, {96, "1.0"}, {384, "1.0"}};
        return Stream.of(Fixtures.PHOTOS)
                .flatMap(photo -> Stream.of(settings).map(s -> Arguments.of(photo, s[0], s[1])));
    }

    @ParameterizedTest(name = "{0} at {1}, crop {2}")
    @MethodSource("torchvisionCases")
    void matchesTorchvisionOnPilDecodedPixels(String photo, int size, String cropPct) throws IOException {
        BufferedImage pixels = Fixtures.reference("eval-fixtures/decoded/" + photo + ".png");

        float[] actual = new EvalTransform(size, Double.parseDouble(cropPct)).apply(pixels);

        assertCloseToTorchvision(actual, photo, size, cropPct, "PIL-decoded pixels");
    }

    /** The whole path from the JPEG file: any difference between ImageIO's and PIL's decoding counts. */
    @ParameterizedTest(name = "{0} at {1}, crop {2}")
    @MethodSource("torchvisionCases")
    void matchesTorchvisionFromTheJpeg(String photo, int size, String cropPct) throws IOException {
        BufferedImage pixels = ImageDecoder.readRgb(Fixtures.path("photos/" + photo + ".jpg"));

        float[] actual = new EvalTransform(size, Double.parseDouble(cropPct)).apply(pixels);

        assertCloseToTorchvision(actual, photo, size, cropPct, "ImageIO-decoded JPEG");
    }

    /** The PNG references stand in for torchvision's tensors; where the tensor is stored, they agree. */
    @Test
    void normalisedReferencePngEqualsTorchvisionTensor() throws IOException {
        for (String photo : Fixtures.PHOTOS) {
            String base = "eval-fixtures/eval/" + photo + "_s64_c0.875";
            INDArray tensor = Nd4j.createFromNpyFile(Fixtures.path(base + ".npy").toFile());
            assertArrayEquals(new long[] {3, 64, 64}, tensor.shape());

            float[] expected = tensor.castTo(DataType.FLOAT).data().asFloat();

            assertArrayEquals(expected, normalise(Fixtures.reference(base + ".png")), 0f, photo);
        }
    }

    @Test
    void imageAlreadyAtTheSizeIsOnlyNormalised() throws IOException {
        BufferedImage cat = Fixtures.reference("eval-fixtures/decoded/cat-landscape.png");
        BufferedImage square = BicubicResampler.resize(cat, 96, 96);

        float[] actual = new EvalTransform(96, 1.0).apply(square);

        assertArrayEquals(normalise(square), actual, 0f);
    }

    @Test
    void shorterSideAlreadyAtTheResizeIsOnlyCropped() throws IOException {
        // 256 = int(224 / 0.875): torchvision skips the resize and crops the centre 224x224,
        // offsets round((256 - 224) / 2) = 16 and round((301 - 224) / 2) = round(38.5) = 38.
        BufferedImage cat = Fixtures.reference("eval-fixtures/decoded/cat-landscape.png");
        BufferedImage image = BicubicResampler.resize(cat, 301, 256);

        float[] actual = new EvalTransform(224, 0.875).apply(image);

        assertArrayEquals(normalise(image.getSubimage(38, 16, 224, 224)), actual, 0f);
    }

    @Test
    void batchStacksImagesAsNchw() throws IOException {
        EvalTransform transform = new EvalTransform(64, 0.875);
        BufferedImage cat = Fixtures.reference("eval-fixtures/decoded/cat-landscape.png");
        BufferedImage rocket = Fixtures.reference("eval-fixtures/decoded/rocket-portrait.png");

        INDArray batch = transform.toBatch(List.of(cat, rocket));

        assertEquals(DataType.FLOAT, batch.dataType());
        assertArrayEquals(new long[] {2, 3, 64, 64}, batch.shape());
        assertArrayEquals(transform.apply(rocket), batch.slice(1).dup().data().asFloat(), 0f);
    }

    @Test
    void refusesBadArgumentsNamingTheValue() {
        assertMessageNames("0", () -> new EvalTransform(0, 0.875));
        assertMessageNames("-3", () -> new EvalTransform(-3, 0.875));
        assertMessageNames("0.0", () -> new EvalTransform(224, 0.0));
        assertMessageNames("1.5", () -> new EvalTransform(224, 1.5));
        assertMessageNames("NaN", () -> new EvalTransform(224, Double.NaN));
    }

    private static void assertMessageNames(String value, Runnable construction) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construction::run);
        assertTrue(e.getMessage().endsWith(value), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    /**
     * Mean absolute difference at most one 8-bit level, i.e. (1/255)/std in normalised units per
     * channel; reports the observed figures.
     */
    private static void assertCloseToTorchvision(float[] actual, String photo, int size, String cropPct, String input)
            throws IOException {
        String reference = "eval-fixtures/eval/" + photo + "_s" + size + "_c" + cropPct + ".png";
        float[] expected = normalise(Fixtures.reference(reference));
        assertEquals(expected.length, actual.length);
        int plane = size * size;
        double sumNormalised = 0;
        double sumLevels = 0;
        double maxLevels = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs(actual[i] - expected[i]);
            double levels = d * STD[i / plane] * 255;
            sumNormalised += d;
            sumLevels += levels;
            maxLevels = Math.max(maxLevels, levels);
        }
        double meanLevels = sumLevels / actual.length;
        String report = String.format("%s at %d crop %s from %s vs torchvision: mean |diff| %.6f normalised"
                + " = %.5f levels, max %.3f levels",
                photo, size, cropPct, input, sumNormalised / actual.length, meanLevels, maxLevels);
        System.out.println(report);
        assertTrue(meanLevels <= 1.0, report);
    }

    /** torchvision's ToTensor then Normalize, in float32, of an 8-bit RGB image. */
    private static float[] normalise(BufferedImage rgb) {
        int width = rgb.getWidth();
        int height = rgb.getHeight();
        int plane = width * height;
        int[] pixels = rgb.getRGB(0, 0, width, height, null, 0, width);
        float[] chw = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                int value = (pixels[i] >> (16 - 8 * c)) & 0xFF;
                chw[c * plane + i] = (value / 255f - MEAN[c]) / STD[c];
            }
        }
        return chw;
    }
}
