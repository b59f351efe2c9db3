package org.convnext4j.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import javax.imageio.ImageIO;

/** Small generated image files and a transform that uses its generator, for the pipeline tests. */
final class TestImages {

    private TestImages() {
    }

    /** Writes an RGB PNG of random pixels drawn from {@code seed}, creating the folders above it. */
    static Path png(Path file, int size, long seed) throws IOException {
        Files.createDirectories(file.getParent());
        SplittableRandom random = new SplittableRandom(seed);
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    /**
     * {@code root/split/<class>/<i>.png} for classes c0, c1, ... with {@code perClass} images each;
     * every image differs.
     */
    static Path folder(Path root, String split, int classes, int perClass, int size) throws IOException {
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < perClass; i++) {
                png(root.resolve(split).resolve("c" + c).resolve(i + ".png"), size, c * 1000L + i);
            }
        }
        return root;
    }

    /** Pixels scaled to [0, 1] plus a draw from the generator per value: a result that shows the generator used. */
    record NoisyTransform(int imageSize) implements SampleTransform {

        @Override
        public float[] apply(BufferedImage rgb, RandomGenerator rng) {
            int plane = imageSize * imageSize;
            float[] chw = new float[3 * plane];
            for (int i = 0; i < plane; i++) {
                int pixel = rgb.getRGB(i % imageSize, i / imageSize);
                for (int c = 0; c < 3; c++) {
                    chw[c * plane + i] = ((pixel >> (16 - 8 * c)) & 0xFF) / 255f + rng.nextFloat();
                }
            }
            return chw;
        }
    }
}
