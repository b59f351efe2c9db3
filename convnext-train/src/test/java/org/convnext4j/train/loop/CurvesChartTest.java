package org.convnext4j.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** curves.png as JFreeChart draws it, without a display: three plots, a line per series, what a log axis cannot show left out. */
class CurvesChartTest {

    @TempDir
    Path dir;

    @Test
    void drawsEverySeriesOnWhiteWithoutADisplay() throws IOException {
        assertTrue(GraphicsEnvironment.isHeadless(), "the build runs the tests with java.awt.headless=true");
        List<CurvesChart.Epoch> epochs = new ArrayList<>();
        for (int e = 1; e <= 30; e++) {
            double lr = 4e-3 * Math.min(1, e / 5.0) * (0.5 + 0.5 * Math.cos(Math.PI * e / 31));
            epochs.add(new CurvesChart.Epoch(e, 2.5 / e + 0.4, 2.3 / e + 0.5, 0.9 - 0.8 / e, 0.88 - 0.8 / e, lr));
        }
        BufferedImage image = draw(epochs);

        assertTrue(image.getWidth() > 2 * image.getHeight() && image.getHeight() >= 300,
                "three plots side by side: " + image.getWidth() + "x" + image.getHeight());
        assertEquals(Color.WHITE.getRGB(), image.getRGB(0, 0));
        for (Color line : List.of(CurvesChart.TRAIN, CurvesChart.VAL, CurvesChart.EMA, CurvesChart.LR)) {
            assertTrue(has(image, line), "a line in " + line);
        }
    }

    /**
     * The warm-up starts at a learning rate of 0, which a log axis cannot place: left in, it would stretch
     * the axis down to its smallest value and flatten the curve to a line at the top. A diverging run logs
     * NaN and infinity.
     */
    @Test
    void zeroAndNonFiniteValuesAreLeftOut() throws IOException {
        BufferedImage image = draw(List.of(
                new CurvesChart.Epoch(1, Double.NaN, Double.POSITIVE_INFINITY, Double.NaN, Double.NaN, 0),
                new CurvesChart.Epoch(2, 1.5, Double.NaN, 0.4, Double.NaN, 1e-3),
                new CurvesChart.Epoch(3, 1.2, 1.3, 0.5, Double.NaN, Double.NaN),
                new CurvesChart.Epoch(4, 1.0, 1.1, 0.6, Double.NaN, 1e-4)));

        assertTrue(rowsWith(image, CurvesChart.LR) > image.getHeight() / 3,
                "the learning rates from 1e-3 to 1e-4 span the plot: " + rowsWith(image, CurvesChart.LR) + " rows");
        assertTrue(has(image, CurvesChart.TRAIN) && has(image, CurvesChart.VAL));
        assertFalse(has(image, CurvesChart.EMA), "no EMA values, no EMA line");
    }

    @Test
    void aRunWithNothingToDrawStillGetsItsAxes() throws IOException {
        BufferedImage image = draw(List.of(new CurvesChart.Epoch(1, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0)));
        assertTrue(has(image, Color.BLACK) || has(image, Color.GRAY), "axes and titles on the white");
    }

    private BufferedImage draw(List<CurvesChart.Epoch> epochs) throws IOException {
        Path file = dir.resolve("curves.png");
        CurvesChart.write(file, epochs);
        assertFalse(Files.exists(dir.resolve("curves.png.tmp")), "written through a temporary file, then moved");
        return ImageIO.read(file.toFile());
    }

    static boolean has(BufferedImage image, Color color) {
        return rowsWith(image, color) > 0;
    }

    /** How many rows of pixels have one of exactly this colour. */
    private static int rowsWith(BufferedImage image, Color color) {
        int rows = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == (color.getRGB() & 0xffffff)) {
                    rows++;
                    break;
                }
            }
        }
        return rows;
    }
}
