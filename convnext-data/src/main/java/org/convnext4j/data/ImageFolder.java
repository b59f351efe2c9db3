package org.convnext4j.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The file list of one split of an ImageNet-style folder, {@code ROOT/<split>/<class>/**}: paths
 * and labels only, never pixels.
 *
 * <p>Order follows torchvision's {@code ImageFolder}: class folders sorted by name give the label
 * indices; within a class, files are sorted by the folder that holds them, then by file name (its
 * {@code sorted(os.walk(...))} then {@code sorted(fnames)}). Names are compared with Java's
 * {@link String#compareTo}, i.e. by UTF-16 unit, which equals Python's code-point order except for
 * names mixing characters above U+FFFF with ones in U+E000..U+FFFF. Files at any depth below a class
 * folder count when their extension is one of {@link #EXTENSIONS}; other files are ignored.
 */
public final class ImageFolder {

    /** What ImageIO reads; compared case-insensitively. */
    public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif");

    /** One image file and its class index. */
    public record Sample(Path path, int label) {
    }

    /**
     * Which files of each class to keep: at most {@code perClassLimit}, and at most
     * {@code round(fraction × files in the class)} but never none. The kept
     * files are the first ones of the class's files shuffled by a generator seeded from
     * ({@code seed}, class index), then put back in sorted order: the same seed keeps the same files,
     * whatever the file names' order says about them.
     */
    public record Subset(int perClassLimit, double fraction, long seed) {

        public static final Subset ALL = new Subset(Integer.MAX_VALUE, 1.0, 0);

        public Subset {
            if (perClassLimit < 1) {
                throw new IllegalArgumentException("per-class limit must be at least 1, got " + perClassLimit);
            }
            if (!(fraction > 0.0 && fraction <= 1.0)) {
                throw new IllegalArgumentException("subset fraction must be in (0, 1], got " + fraction);
            }
        }

        public static Subset perClass(int limit, long seed) {
            return new Subset(limit, 1.0, seed);
        }

        public static Subset fraction(double fraction, long seed) {
            return new Subset(Integer.MAX_VALUE, fraction, seed);
        }

        int keep(int available) {
            return (int) Math.min(perClassLimit, Math.max(1, Math.round(fraction * available)));
        }
    }

    private final Path directory;
    private final List<String> classes;
    private final List<Sample> samples;

    private ImageFolder(Path directory, List<String> classes, List<Sample> samples) {
        this.directory = directory;
        this.classes = List.copyOf(classes);
        this.samples = List.copyOf(samples);
    }

    /**
     * Lists {@code root/split}.
     *
     * @throws IOException with a one-line message naming the path when the root or the split folder
     *     is missing, the split has no class folders, or a class folder holds no image
     */
    public static ImageFolder scan(Path root, String split, Subset subset) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("data root " + root + " is not a directory");
        }
        Path directory = root.resolve(split);
        if (!Files.isDirectory(directory)) {
            throw new IOException("split folder " + directory + " is not a directory");
        }
        List<Path> classFolders;
        try (Stream<Path> children = Files.list(directory)) {
            classFolders = children.filter(Files::isDirectory)
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        }
        if (classFolders.isEmpty()) {
            throw new IOException("split folder " + directory + " has no images: expected "
                    + directory + "/<class>/<image>");
        }
        List<String> classes = new ArrayList<>();
        List<Sample> samples = new ArrayList<>();
        for (Path classFolder : classFolders) {
            int label = classes.size();
            List<Path> files = imagesBelow(classFolder);
            if (files.isEmpty()) {
                throw new IOException("class folder " + classFolder + " has no images ("
                        + String.join(", ", new TreeSet<>(EXTENSIONS)) + ")");
            }
            classes.add(classFolder.getFileName().toString());
            for (Path file : choose(files, subset, label)) {
                samples.add(new Sample(file, label));
            }
        }
        return new ImageFolder(directory, classes, samples);
    }

    /**
     * Checks that {@code other} (a validation split, say) has exactly this split's classes, so that
     * label indices mean the same in both.
     *
     * @throws IllegalArgumentException naming both folders and the classes found in only one
     */
    public void requireSameClasses(ImageFolder other) {
        if (classes.equals(other.classes)) {
            return;
        }
        Set<String> onlyHere = new TreeSet<>(classes);
        onlyHere.removeAll(other.classes);
        Set<String> onlyThere = new TreeSet<>(other.classes);
        onlyThere.removeAll(classes);
        throw new IllegalArgumentException(String.format(Locale.ROOT,
                "the classes of %s differ from those of %s: only in %s: %s; only in %s: %s",
                other.directory, directory, directory.getFileName(), onlyHere,
                other.directory.getFileName(), onlyThere));
    }

    /** The split's folder, {@code root/split}. */
    public Path directory() {
        return directory;
    }

    /** Class names; a class's label is its index here. */
    public List<String> classes() {
        return classes;
    }

    public int numClasses() {
        return classes.size();
    }

    public int size() {
        return samples.size();
    }

    public Sample sample(int index) {
        return samples.get(index);
    }

    /** All samples, by class then in file order. */
    public List<Sample> samples() {
        return samples;
    }

    private static List<Path> imagesBelow(Path classFolder) throws IOException {
        try (Stream<Path> tree = Files.walk(classFolder, FileVisitOption.FOLLOW_LINKS)) {
            return tree.filter(ImageFolder::hasImageExtension)
                    .filter(Files::isRegularFile)
                    .sorted(Comparator.comparing((Path p) -> p.getParent().toString())
                            .thenComparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static boolean hasImageExtension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot >= 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static List<Path> choose(List<Path> sorted, Subset subset, int label) {
        int keep = subset.keep(sorted.size());
        if (keep >= sorted.size()) {
            return sorted;
        }
        int[] kept = Arrays.copyOf(Seeds.permutation(sorted.size(), Seeds.generator(subset.seed(), label)), keep);
        Arrays.sort(kept);
        return Arrays.stream(kept).mapToObj(sorted::get).toList();
    }
}
