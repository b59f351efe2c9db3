package org.convnext4j.data.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;
import org.convnext4j.data.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each Pillow operation RandAugment uses, with fixed arguments, against Pillow 9.4's output: all
 * of them reproduce it sample for sample, so any difference fails.
 */
class PillowOpsTest {

    private static final String[] INPUTS = {"cat-landscape", "rocket-portrait", "camera-gray"};
    /** timm's fill: round(255 * ImageNet mean), as generate_augment_fixtures.py uses it. */
    private static final int FILL = 0x7C7468;

    static Stream<Arguments> cases() throws IOException {
        List<String> lines = Files.readAllLines(Fixtures.path("augment-fixtures/ops/cases.csv"));
        return lines.stream().skip(1).flatMap(line -> {
            String[] fields = line.split(",", -1);
            return Stream.of(INPUTS).map(input -> Arguments.of(input, fields[0], fields[1], fields[2], fields[3]));
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesPillow(String input, String name, String op, String arg, String filter) throws IOException {
        BufferedImage image = Fixtures.reference("augment-fixtures/inputs/" + input + ".png");
        BufferedImage expected = Fixtures.reference("augment-fixtures/ops/" + input + "_" + name + ".png");

        BufferedImage actual = apply(image, op, Double.parseDouble(arg), filter);

        Fixtures.Difference difference = Fixtures.compare(actual, expected);
        String report = input + " " + name + " vs Pillow: " + difference;
        System.out.println(report);
        assertEquals(0, difference.max(), report);
    }

    private static BufferedImage apply(BufferedImage image, String op, double arg, String filter) {
        Interpolation interpolation = filter.isEmpty() ? null : Interpolation.valueOf(filter.toUpperCase());
        return switch (op) {
            case "autocontrast" -> AutoContrast.apply(image);
            case "equalize" -> Equalize.apply(image);
            case "invert" -> Lut.apply(image, Lut.invert());
            case "posterize" -> Lut.apply(image, Lut.posterize((int) arg));
            case "solarize" -> Lut.apply(image, Lut.solarize((int) arg));
            case "solarizeadd" -> Lut.apply(image, Lut.solarizeAdd((int) arg, 128));
            case "color" -> Enhance.COLOR.apply(image, arg);
            case "contrast" -> Enhance.CONTRAST.apply(image, arg);
            case "brightness" -> Enhance.BRIGHTNESS.apply(image, arg);
            case "sharpness" -> Enhance.SHARPNESS.apply(image, arg);
            case "rotate" -> Affine.rotate(image, arg, interpolation, FILL);
            case "shearx" -> Affine.transform(image, new double[] {1, arg, 0, 0, 1, 0}, interpolation, FILL);
            case "sheary" -> Affine.transform(image, new double[] {1, 0, 0, arg, 1, 0}, interpolation, FILL);
            case "translatex" -> Affine.transform(
                    image, new double[] {1, 0, arg * image.getWidth(), 0, 1, 0}, interpolation, FILL);
            case "translatey" -> Affine.transform(
                    image, new double[] {1, 0, 0, 0, 1, arg * image.getHeight()}, interpolation, FILL);
            default -> throw new IllegalArgumentException("unknown op in cases.csv: " + op);
        };
    }
}
