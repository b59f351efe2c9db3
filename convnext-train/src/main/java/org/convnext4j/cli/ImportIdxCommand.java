package org.convnext4j.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

import org.convnext4j.data.IdxFiles;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "import-idx", mixinStandardHelpOptions = true,
        description = "Convert MNIST-style IDX image and label files (plain or gzip) to an image folder:"
                + " OUTPUT/<class>/<index>.png, 8-bit grey, <index> being the image's index in the file.")
final class ImportIdxCommand extends ConvNeXtCommand {

    @Option(names = "--images", required = true, description = "IDX images file (magic 0x00000803), e.g. train-images-idx3-ubyte.gz")
    private Path images;

    @Option(names = "--labels", required = true, description = "IDX labels file (magic 0x00000801), e.g. train-labels-idx1-ubyte.gz")
    private Path labels;

    @Option(names = "--classes", required = true, split = ",", description = "class names in label order, comma-separated")
    private List<String> classes;

    @Option(names = "--output", required = true, description = "the split folder to create, e.g. data/fmnist/train")
    private Path output;

    @Option(names = "--limit-per-class", defaultValue = "" + Integer.MAX_VALUE,
            description = "keep only the first N images of each class, in file order")
    private int limitPerClass;

    @Override
    protected void execute() throws IOException {
        requireValidClassNames();
        if (limitPerClass < 1) {
            throw new IllegalArgumentException("--limit-per-class must be at least 1, got " + limitPerClass);
        }
        requireEmptyOrAbsent(output);
        IdxFiles.Images pixels = IdxFiles.readImages(images);
        int[] classOf = IdxFiles.readLabels(labels);
        if (classOf.length != pixels.count()) {
            throw new IOException(labels + " has " + classOf.length + " labels but " + images + " has "
                    + pixels.count() + " images");
        }
        for (int i = 0; i < classOf.length; i++) {
            if (classOf[i] >= classes.size()) {
                throw new IOException(labels + ": label " + classOf[i] + " of image " + i + " is not below the "
                        + classes.size() + " classes given");
            }
        }
        int[] written = new int[classes.size()];
        for (int i = 0; i < pixels.count(); i++) {
            int label = classOf[i];
            if (written[label] < limitPerClass) {
                Path folder = Files.createDirectories(output.resolve(classes.get(label)));
                writePng(toGrey(pixels, i), folder.resolve(i + ".png"));
                written[label]++;
            }
        }
        System.out.printf("wrote %d images of %dx%d to %s%n", Arrays.stream(written).sum(),
                pixels.rows(), pixels.cols(), output);
        for (int c = 0; c < written.length; c++) {
            System.out.printf("  %-16s %d%n", classes.get(c), written[c]);
        }
    }

    private void requireValidClassNames() {
        if (new HashSet<>(classes).size() != classes.size()) {
            throw new IllegalArgumentException("--classes has repeated names: " + classes);
        }
        for (String name : classes) {
            if (name.isBlank() || name.equals(".") || name.equals("..") || name.contains("/") || name.contains("\\")) {
                throw new IllegalArgumentException("--classes: '" + name + "' cannot be a folder name");
            }
        }
    }

    private static void requireEmptyOrAbsent(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        if (!Files.isDirectory(folder)) {
            throw new IOException("output " + folder + " exists and is not a folder");
        }
        try (Stream<Path> entries = Files.list(folder)) {
            if (entries.findAny().isPresent()) {
                throw new IOException("output folder " + folder + " is not empty");
            }
        }
    }

    private static BufferedImage toGrey(IdxFiles.Images pixels, int index) {
        BufferedImage grey = new BufferedImage(pixels.cols(), pixels.rows(), BufferedImage.TYPE_BYTE_GRAY);
        int size = pixels.rows() * pixels.cols();
        grey.getRaster().setDataElements(0, 0, pixels.cols(), pixels.rows(),
                Arrays.copyOfRange(pixels.pixels(), index * size, (index + 1) * size));
        return grey;
    }

    private static void writePng(BufferedImage image, Path file) throws IOException {
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IllegalStateException("ImageIO has no PNG writer");
        }
    }
}
