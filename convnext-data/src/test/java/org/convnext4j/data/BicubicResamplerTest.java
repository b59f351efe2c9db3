package org.convnext4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BicubicResamplerTest {

    /** PIL's reference sizes: both axes down, both up, and one down with the other up. */
    static Stream<Arguments> pilResizes() {
        int[][] sizes = {{97, 61}, {313, 171}, {157, 251}};
        return Stream.of(Fixtures.PHOTOS)
                .flatMap(photo -> Stream.of(sizes).map(size -> Arguments.of(photo, size[0], size[1])));
    }

    @ParameterizedTest(name = "{0} to {1}x{2}")
    @MethodSource("pilResizes")
    void matchesPillowBicubic(String photo, int width, int height) throws IOException {
        BufferedImage source = Fixtures.reference("eval-fixtures/decoded/" + photo + ".png");
        BufferedImage expected =
                Fixtures.reference("eval-fixtures/resize/" + photo + "_" + width + "x" + height + ".png");

        Fixtures.Difference difference = Fixtures.compare(BicubicResampler.resize(source, width, height), expected);

        String report = photo + " " + source.getWidth() + "x" + source.getHeight() + " -> " + width + "x" + height
                + " vs PIL: " + difference;
        System.out.println(report);
        assertTrue(difference.max() <= 1, report);
        assertTrue(difference.mean() <= 0.02, report);
    }

    @Test
    void sameSizeCopiesThePixels() throws IOException {
        BufferedImage source = Fixtures.reference("eval-fixtures/decoded/rgba.png");

        BufferedImage copy = BicubicResampler.resize(source, source.getWidth(), source.getHeight());

        assertEquals(0, Fixtures.compare(copy, source).max());
    }

    @Test
    void refusesImagesThatAreNotIntRgb() {
        BufferedImage grey = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BicubicResampler.resize(grey, 2, 2));
        assertTrue(e.getMessage().contains("TYPE_INT_RGB"), e.getMessage());
    }
}
