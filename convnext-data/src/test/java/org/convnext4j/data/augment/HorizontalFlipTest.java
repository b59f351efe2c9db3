package org.convnext4j.data.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.SplittableRandom;
import org.convnext4j.data.Fixtures;
import org.junit.jupiter.api.Test;

class HorizontalFlipTest {

    @Test
    void mirrorsLeftToRight() throws IOException {
        BufferedImage image = Fixtures.reference("augment-fixtures/inputs/cat-landscape.png");

        BufferedImage flipped = new HorizontalFlip(1.0).apply(image, new SplittableRandom(1));

        int width = image.getWidth();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < width; x++) {
                assertEquals(image.getRGB(width - 1 - x, y), flipped.getRGB(x, y));
            }
        }
    }

    @Test
    void flipsWithTheGivenProbability() {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        HorizontalFlip flip = new HorizontalFlip(0.5);
        SplittableRandom rng = new SplittableRandom(2);
        int trials = 4000;
        int flipped = 0;
        for (int i = 0; i < trials; i++) {
            flipped += flip.apply(image, rng) == image ? 0 : 1;
        }
        assertTrue(Math.abs(flipped - trials / 2.0) <= 4 * Math.sqrt(trials * 0.25), flipped + " of " + trials);
        assertSame(image, new HorizontalFlip(0.0).apply(image, rng));
    }
}
