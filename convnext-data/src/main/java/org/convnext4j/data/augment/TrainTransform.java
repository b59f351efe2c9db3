package org.convnext4j.data.augment;

import java.awt.image.BufferedImage;
import java.util.random.RandomGenerator;
import org.convnext4j.data.Normalization;
import org.convnext4j.data.SampleTransform;

/**
 * The ConvNeXt training transform, timm's {@code create_transform(is_training=True)} with
 * {@code interpolation='bicubic'} as the official recipe passes it:
 * {@link RandomResizedCrop} → {@link HorizontalFlip} → {@link RandAugment} (or, when that is off,
 * {@link ColorJitter}) → {@code ToTensor} and {@code Normalize} → {@link RandomErasing}.
 *
 * <p>As in timm, a stage whose strength is 0 is left out and draws nothing; RandAugment's geometric
 * operations use bicubic resampling and fill with the normalisation mean as an 8-bit colour. Each
 * stage draws from {@code rng} in the order above; see each class for its own draws.
 *
 * @param imageSize side of the square output, in pixels
 * @param scaleMin smallest crop area, as a fraction of the image
 * @param scaleMax largest crop area, as a fraction of the image
 * @param ratioMin smallest crop aspect ratio (width / height)
 * @param ratioMax largest crop aspect ratio
 * @param hflipProb chance of a horizontal flip
 * @param randAugment timm RandAugment config such as {@code rand-m9-mstd0.5-inc1}; null or empty for off
 * @param colorJitter brightness, contrast and saturation strength, used only when RandAugment is off;
 *     0 for off
 * @param reprob chance of random erasing
 * @param normalization per-channel statistics the output is normalised with
 */
public record TrainTransform(int imageSize, double scaleMin, double scaleMax, double ratioMin, double ratioMax,
        double hflipProb, String randAugment, double colorJitter, double reprob, Normalization normalization)
        implements SampleTransform {

    public TrainTransform {
        if (imageSize <= 0) {
            throw new IllegalArgumentException("imageSize must be positive, got " + imageSize);
        }
        // Its messages name the scale and ratio fields as this record does.
        new RandomResizedCrop(imageSize, scaleMin, scaleMax, ratioMin, ratioMax);
        requireProbability("hflipProb", hflipProb);
        if (!(colorJitter >= 0.0 && Double.isFinite(colorJitter))) {
            throw new IllegalArgumentException("colorJitter must be finite and >= 0, got " + colorJitter);
        }
        requireProbability("reprob", reprob);
        if (normalization == null) {
            throw new IllegalArgumentException("normalization must be given, got null");
        }
        if (randAugment != null && !randAugment.isEmpty()) {
            RandAugment.parse(randAugment, Interpolation.BICUBIC, normalization.meanRgb());
        }
    }

    /**
     * The paper's ImageNet-1K recipe (the official repository's defaults): scale 0.08–1, ratio 3/4–4/3,
     * flip 0.5, {@code rand-m9-mstd0.5-inc1}, color jitter 0.4 (unused with RandAugment on), random
     * erasing 0.25, ImageNet mean and std.
     */
    public static TrainTransform convnextRecipe(int imageSize) {
        return new TrainTransform(imageSize, 0.08, 1.0, 3.0 / 4.0, 4.0 / 3.0, 0.5, "rand-m9-mstd0.5-inc1", 0.4,
                0.25, Normalization.IMAGENET);
    }

    @Override
    public float[] apply(BufferedImage rgb, RandomGenerator rng) {
        BufferedImage image = new RandomResizedCrop(imageSize, scaleMin, scaleMax, ratioMin, ratioMax).apply(rgb, rng);
        if (hflipProb > 0.0) {
            image = new HorizontalFlip(hflipProb).apply(image, rng);
        }
        if (randAugment != null && !randAugment.isEmpty()) {
            // Parsed per image: a few microseconds against the milliseconds the operations take.
            image = RandAugment.parse(randAugment, Interpolation.BICUBIC, normalization.meanRgb()).apply(image, rng);
        } else if (colorJitter > 0.0) {
            image = new ColorJitter(colorJitter, colorJitter, colorJitter).apply(image, rng);
        }
        float[] chw = normalization.toChw(image);
        if (reprob > 0.0) {
            RandomErasing.of(reprob).apply(chw, imageSize, imageSize, rng);
        }
        return chw;
    }

    private static void requireProbability(String name, double value) {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], got " + value);
        }
    }
}
