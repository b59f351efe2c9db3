package org.convnext4j.train.loop;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import javax.imageio.ImageIO;

/** A small learnable image folder for training tests: each class is a colour, plus noise. */
public final class TinyImageFolder {

    private TinyImageFolder() {
    }

    public static Path create(Path root, List<String> classes, int trainPerClass, int valPerClass) throws IOException {
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
