package org.convnext4j.data.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.convnext4j.data.Fixtures;
import org.convnext4j.data.Normalization;
import org.junit.jupiter.api.Test;

class TrainTransformTest {

    private static final int SIZE = 64;

    @Test
    void recipeIsThePapers() {
        assertEquals(new TrainTransform(224, 0.08, 1.0, 0.75, 4.0 / 3.0, 0.5, "rand-m9-mstd0.5-inc1", 0.4, 0.25,
                Normalization.IMAGENET), TrainTransform.convnextRecipe(224));
    }

    @Test
    void fillIsTimmsImageNetMean() {
        assertEquals(0x7C7468, Normalization.IMAGENET.meanRgb(), "(124, 116, 104)");
    }

    @Test
    void sameSeedSameFloatsOtherSeedOtherFloats() throws IOException {
        BufferedImage cat = Fixtures.reference("eval-fixtures/decoded/cat-landscape.png");
        TrainTransform transform = TrainTransform.convnextRecipe(SIZE);

        float[] first = transform.apply(cat, new SplittableRandom(42));
        float[] again = transform.apply(cat, new SplittableRandom(42));
        float[] other = transform.apply(cat, new SplittableRandom(43));

        assertEquals(3 * SIZE * SIZE, first.length);
        assertArrayEquals(first, again, 0f);
        assertFalse(Arrays.equals(first, other));
    }

    /** The stages in timm's order, each drawing from the one generator. */
    @Test
    void recipeChainsTheStagesInOrder() throws IOException {
        BufferedImage rocket = Fixtures.reference("eval-fixtures/decoded/rocket-portrait.png");
        for (long seed = 0; seed < 8; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            BufferedImage image = new RandomResizedCrop(SIZE, 0.08, 1.0, 0.75, 4.0 / 3.0).apply(rocket, rng);
            image = new HorizontalFlip(0.5).apply(image, rng);
            image = RandAugment.parse("rand-m9-mstd0.5-inc1", Interpolation.BICUBIC, 0x7C7468).apply(image, rng);
            float[] expected = Normalization.IMAGENET.toChw(image);
            RandomErasing.of(0.25).apply(expected, SIZE, SIZE, rng);

            float[] actual = TrainTransform.convnextRecipe(SIZE).apply(rocket, new SplittableRandom(seed));

            assertArrayEquals(expected, actual, 0f, "seed " + seed);
        }
    }

    @Test
    void withoutRandAugmentColorJitterRuns() throws IOException {
        BufferedImage cat = Fixtures.reference("eval-fixtures/decoded/cat-landscape.png");
        for (String off : new String[] {null, ""}) {
            TrainTransform jittered = new TrainTransform(SIZE, 0.08, 1.0, 0.75, 4.0 / 3.0, 0.5, off, 0.4, 0.0,
                    Normalization.IMAGENET);
            SplittableRandom rng = new SplittableRandom(5);
            BufferedImage image = new RandomResizedCrop(SIZE, 0.08, 1.0, 0.75, 4.0 / 3.0).apply(cat, rng);
            image = new HorizontalFlip(0.5).apply(image, rng);
            float[] expected = Normalization.IMAGENET.toChw(new ColorJitter(0.4, 0.4, 0.4).apply(image, rng));

            float[] actual = jittered.apply(cat, new SplittableRandom(5));

            assertArrayEquals(expected, actual, 0f);
            TrainTransform plain = new TrainTransform(SIZE, 0.08, 1.0, 0.75, 4.0 / 3.0, 0.5, off, 0.0, 0.0,
                    Normalization.IMAGENET);
            assertFalse(Arrays.equals(actual, plain.apply(cat, new SplittableRandom(5))), "jitter changes the image");
        }
    }

    @Test
    void refusesBadArgumentsNamingTheValue() {
        RandomResizedCropTest.assertMessageEndsWith("0", () -> recipeWith(0, 0.5, "rand-m9", 0.4, 0.25));
        RandomResizedCropTest.assertMessageEndsWith("1.5", () -> recipeWith(SIZE, 1.5, "rand-m9", 0.4, 0.25));
        RandomResizedCropTest.assertMessageEndsWith("-0.4", () -> recipeWith(SIZE, 0.5, "rand-m9", -0.4, 0.25));
        RandomResizedCropTest.assertMessageEndsWith("NaN", () -> recipeWith(SIZE, 0.5, "rand-m9", 0.4, Double.NaN));
        RandomResizedCropTest.assertMessageEndsWith("rand-m9-q1", () -> recipeWith(SIZE, 0.5, "rand-m9-q1", 0.4, 0.25));
        RandomResizedCropTest.assertMessageEndsWith("null", () -> new TrainTransform(SIZE, 0.08, 1.0, 0.75, 1.33,
                0.5, null, 0.4, 0.25, null));
    }

    private static TrainTransform recipeWith(int size, double hflip, String randAugment, double jitter, double reprob) {
        return new TrainTransform(size, 0.08, 1.0, 0.75, 4.0 / 3.0, hflip, randAugment, jitter, reprob,
                Normalization.IMAGENET);
    }
}
