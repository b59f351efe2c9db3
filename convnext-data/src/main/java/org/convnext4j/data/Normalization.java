package org.convnext4j.data;

import java.awt.image.BufferedImage;

/**
 * The per-channel statistics images are normalised with, shared by the train and eval transforms
 * so that both feed the network the same input scale.
 */
public enum Normalization {

    /** timm's IMAGENET_DEFAULT_MEAN and _STD, the ConvNeXt default. */
    IMAGENET(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

    /** Float constants, as torchvision's Normalize casts them to the tensor's float32. */
    private final float[] mean;
    private final float[] std;

    /** Every sample value's result per channel, computed once: a lookup is cheaper than a division. */
    private final float[][] normalised;

    Normalization(float[] mean, float[] std) {
        this.mean = mean;
        this.std = std;
        this.normalised = new float[3][256];
        for (int channel = 0; channel < 3; channel++) {
            for (int value = 0; value < 256; value++) {
                normalised[channel][value] = normalise(value, channel);
            }
        }
    }

    /**
     * torchvision's {@code ToTensor()} then {@code Normalize(mean, std)}: CHW floats, three planes of
     * {@code width * height}, of a {@code TYPE_INT_RGB} image.
     */
    public float[] toChw(BufferedImage rgb) {
        if (rgb.getType() != BufferedImage.TYPE_INT_RGB) {
            throw new IllegalArgumentException(
                    "expected a TYPE_INT_RGB image (see ImageDecoder), got type " + rgb.getType());
        }
        int width = rgb.getWidth();
        int height = rgb.getHeight();
        int plane = width * height;
        // Raster data elements are copied row by row; getRGB would convert every pixel.
        int[] pixels = (int[]) rgb.getRaster().getDataElements(0, 0, width, height, null);
        float[] chw = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            int pixel = pixels[i];
            chw[i] = normalised[0][(pixel >> 16) & 0xFF];
            chw[plane + i] = normalised[1][(pixel >> 8) & 0xFF];
            chw[2 * plane + i] = normalised[2][pixel & 0xFF];
        }
        return chw;
    }

    /** The per-channel mean (R, G, B) on the 0..1 scale, a copy. */
    public float[] mean() {
        return mean.clone();
    }

    /** The per-channel standard deviation (R, G, B) on the 0..1 scale, a copy. */
    public float[] std() {
        return std.clone();
    }

    /**
     * The mean as an 8-bit colour, {@code 0xRRGGBB}: timm's {@code img_mean}, {@code round(255 * mean)},
     * which its RandAugment fills uncovered areas with.
     */
    public int meanRgb() {
        int rgb = 0;
        for (float m : mean) {
            rgb = (rgb << 8) | (int) Math.min(255, Math.rint(255.0 * m));
        }
        return rgb;
    }

    /** In float32 and in ToTensor's then Normalize's order, so results equal torchvision's bit for bit. */
    private float normalise(int value, int channel) {
        return (value / 255f - mean[channel]) / std[channel];
    }
}
