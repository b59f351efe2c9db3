package org.convnext4j.testsupport;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import javax.imageio.ImageIO;

/** Small generated image files and ImageNet-style folders of them, for the data, training and command-line tests. */
public final class ImageFolders {

    private ImageFolders() {
    }

    /** Writes an RGB PNG of random pixels drawn from {@code seed}, creating the folders above it. */
    public static Path png(Path file, int size, long seed) throws IOException {
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
     * {@code root/split/<class>/<i>.png} of random pixels for classes c0, c1, … with {@code perClass} images each;
     * every image differs. For the pipeline tests, which look at files and pixels, not at what they show.
     */
    public static Path random(Path root, String split, int classes, int perClass, int size) throws IOException {
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < perClass; i++) {
                png(root.resolve(split).resolve("c" + c).resolve(i + ".png"), size, c * 1000L + i);
            }
        }
        return root;
    }

    /**
     * {@code root/{train,val}/<class>/<i>.png}, 36×36, that a network learns in a few steps: each class is a
     * colour of its own, plus noise and a diagonal pattern. For the training and command-line tests.
     */
    public static Path learnable(Path root, List<String> classes, int trainPerClass, int valPerClass) throws IOException {
        SplittableRandom rng = new SplittableRandom(99);
        for (String split : List.of("train", "val")) {
            int count = split.equals("train") ? trainPerClass : valPerClass;
            for (int c = 0; c < classes.size(); c++) {
                Path folder = Files.createDirectories(root.resolve(split).resolve(classes.get(c)));
                for (int i = 0; i < count; i++) {
                    BufferedImage image = new BufferedImage(36, 36, BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < 36; y++) {
                        for (int x = 0; x < 36; x++) {
                            int base = 60 + 60 * c;
                            int r = clamp(base + rng.nextInt(-40, 40));
                            int g = clamp(255 - base + rng.nextInt(-40, 40));
                            int b = clamp(((x + y + 12 * c) % 24) * 10);
                            image.setRGB(x, y, (r << 16) | (g << 8) | b);
                        }
                    }
                    ImageIO.write(image, "png", folder.resolve(i + ".png").toFile());
                }
            }
        }
        return root;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
