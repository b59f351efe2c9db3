package org.convnext4j.data;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ConvNeXt evaluation transform, matching the official repository's torchvision pipeline:
 * below 384 pixels, {@code Resize(int(imageSize / cropPct), BICUBIC)} of the shorter side then
 * {@code CenterCrop(imageSize)}; at 384 and above, {@code Resize((imageSize, imageSize), BICUBIC)}
 * with no crop. Then {@code ToTensor()} and {@code Normalize} with the ImageNet statistics
 * ({@link Normalization#IMAGENET}).
 *
 * @param imageSize side of the square the model sees, in pixels
 * @param cropPct fraction of the resized shorter side kept by the centre crop, in (0, 1]
 */
public record EvalTransform(int imageSize, double cropPct) implements SampleTransform {

    /** The crop fraction of timm's and the official repository's evaluation at 224 px, for a model that names none. */
    public static final double DEFAULT_CROP_PCT = 0.875;

    /** ConvNeXt warps to a square instead of cropping from this size up (its fine-tuning recipe). */
    private static final int WARP_FROM_SIZE = 384;

    public EvalTransform {
        if (imageSize <= 0) {
            throw new IllegalArgumentException("imageSize must be positive, got " + imageSize);
        }
        if (!(cropPct > 0.0 && cropPct <= 1.0)) {
            throw new IllegalArgumentException("cropPct must be in (0, 1], got " + cropPct);
        }
    }

    /** Returns the normalised image as CHW floats, {@code 3 * imageSize * imageSize} of them. */
    /** The eval transform is deterministic: {@code rng} is not used. */
    @Override
    public float[] apply(BufferedImage rgb, RandomGenerator rng) {
        return apply(rgb);
    }

    public float[] apply(BufferedImage rgb) {
        if (rgb.getType() != BufferedImage.TYPE_INT_RGB) {
            throw new IllegalArgumentException(
                    "expected a TYPE_INT_RGB image (see ImageDecoder), got type " + rgb.getType());
        }
        BufferedImage square = imageSize >= WARP_FROM_SIZE
                ? resize(rgb, imageSize, imageSize)
                : centerCrop(resizeShorterSide(rgb, (int) (imageSize / cropPct)));
        return Normalization.IMAGENET.toChw(square);
    }

    /** Applies the transform to each image and stacks them as an NCHW float array. */
    public INDArray toBatch(List<BufferedImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("cannot make a batch of no images");
        }
        int planeSize = 3 * imageSize * imageSize;
        float[] batch = new float[images.size() * planeSize];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(apply(images.get(i)), 0, batch, i * planeSize, planeSize);
        }
        return Nd4j.create(batch, new long[] {images.size(), 3, imageSize, imageSize}, 'c');
    }

    /** torchvision 0.14 {@code Resize(int)}: the long side is truncated, not rounded. */
    private static BufferedImage resizeShorterSide(BufferedImage rgb, int shortTarget) {
        int width = rgb.getWidth();
        int height = rgb.getHeight();
        int shortSide = Math.min(width, height);
        int longSide = Math.max(width, height);
        int longTarget = (int) ((double) ((long) shortTarget * longSide) / shortSide);
        return width <= height
                ? resize(rgb, shortTarget, longTarget)
                : resize(rgb, longTarget, shortTarget);
    }

    /** Like torchvision, an image that already has the size is passed on untouched. */
    private static BufferedImage resize(BufferedImage rgb, int width, int height) {
        if (rgb.getWidth() == width && rgb.getHeight() == height) {
            return rgb;
        }
        return BicubicResampler.resize(rgb, width, height);
    }

    /**
     * torchvision {@code CenterCrop}: offsets use Python's round, which rounds halves to even. The
     * resized image is never smaller than the crop (cropPct <= 1), so torchvision's padding never
     * applies.
     */
    private BufferedImage centerCrop(BufferedImage rgb) {
        int top = (int) Math.rint((rgb.getHeight() - imageSize) / 2.0);
        int left = (int) Math.rint((rgb.getWidth() - imageSize) / 2.0);
        return rgb.getSubimage(left, top, imageSize, imageSize);
    }
}
