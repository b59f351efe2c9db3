package org.convnext4j.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Single-threaded milliseconds per image for {@link ImageDecoder} and for {@link BicubicResampler}
 * (the eval transform's resize of the shorter side to 256), over every JPEG and PNG below a folder:
 * the two numbers docs/benchmarks.md reports. Not a test; run it after {@code mvn test-compile} with
 *
 * <pre>java -cp convnext-data/target/classes:convnext-data/target/test-classes \
 *     org.convnext4j.data.DecodeResizeTiming /tmp/jpegs 10</pre>
 */
public final class DecodeResizeTiming {

    private static final int SHORT_SIDE = 256;

    private DecodeResizeTiming() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: DecodeResizeTiming <folder of images> <rounds>");
            System.exit(2);
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(Path.of(args[0]))) {
            files = walk.filter(file -> file.toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png)"))
                    .sorted()
                    .toList();
        }
        int rounds = Integer.parseInt(args[1]);
        List<BufferedImage> images = new ArrayList<>();
        for (Path file : files) {
            images.add(ImageDecoder.readRgb(file));
        }
        double[] decode = new double[rounds];
        double[] resize = new double[rounds];
        long checksum = 0;
        for (int round = 0; round < rounds; round++) {
            long start = System.nanoTime();
            for (Path file : files) {
                checksum += ImageDecoder.readRgb(file).getWidth();
            }
            long decoded = System.nanoTime();
            for (BufferedImage image : images) {
                checksum += resizeShorterSide(image).getWidth();
            }
            long resized = System.nanoTime();
            decode[round] = (decoded - start) / 1e6 / files.size();
            resize[round] = (resized - decoded) / 1e6 / files.size();
            System.out.printf(Locale.ROOT, "round %d: decode %.3f ms, resize %.3f ms per image%n",
                    round, decode[round], resize[round]);
        }
        System.out.printf(Locale.ROOT, "%d images, median of %d rounds: decode %.3f ms, resize %.3f ms per image"
                + " (checksum %d)%n", files.size(), rounds, median(decode), median(resize), checksum);
    }

    private static BufferedImage resizeShorterSide(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        return width <= height
                ? BicubicResampler.resize(image, SHORT_SIDE, (int) ((long) SHORT_SIDE * height / width))
                : BicubicResampler.resize(image, (int) ((long) SHORT_SIDE * width / height), SHORT_SIDE);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
