package org.convnext4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.convnext4j.testsupport.ImageFolders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {

    @TempDir
    Path root;

    @Test
    void classesAreSortedByNameAndIndexedInThatOrder() throws IOException {
        for (String name : List.of("dog", "Cat", "ant")) {
            ImageFolders.png(root.resolve("train").resolve(name).resolve("1.png"), 4, name.hashCode());
        }

        ImageFolder folder = ImageFolder.scan(root, "train", ImageFolder.Subset.ALL);

        // String order, as Python's sorted(): upper case before lower case.
        assertEquals(List.of("Cat", "ant", "dog"), folder.classes());
        assertEquals(List.of(0, 1, 2), folder.samples().stream().map(ImageFolder.Sample::label).toList());
        assertEquals(root.resolve("train/ant/1.png"), folder.sample(1).path());
        assertEquals(root.resolve("train"), folder.directory());
    }

    @Test
    void filesAtAnyDepthCountInTorchvisionOrder() throws IOException {
        Path cls = root.resolve("val").resolve("a");
        for (String file : List.of("z.png", "b.JPEG", "sub/y.gif", "sub/deeper/x.bmp", "sub-2/w.jpg")) {
            ImageFolders.png(cls.resolve(file), 4, file.hashCode());
        }
        Files.writeString(cls.resolve("notes.txt"), "not an image");
        Files.writeString(cls.resolve("sub/labels.csv"), "not an image");

        ImageFolder folder = ImageFolder.scan(root, "val", ImageFolder.Subset.ALL);

        // By holding folder as a string (torchvision's sorted(os.walk)), then by name: a < a/sub < a/sub-2
        // < a/sub/deeper, since '-' sorts before '/'.
        assertEquals(List.of("b.JPEG", "z.png", "sub/y.gif", "sub-2/w.jpg", "sub/deeper/x.bmp"),
                relativePaths(folder, cls));
    }

    @Test
    void missingRootIsAOneLineErrorNamingIt() {
        Path missing = root.resolve("nowhere");
        assertOneLineError(missing.toString(), () -> ImageFolder.scan(missing, "train", ImageFolder.Subset.ALL));
    }

    @Test
    void missingSplitIsAOneLineErrorNamingIt() throws IOException {
        ImageFolders.random(root, "train", 2, 1, 4);
        assertOneLineError(root.resolve("val").toString(),
                () -> ImageFolder.scan(root, "val", ImageFolder.Subset.ALL));
    }

    @Test
    void splitWithoutImagesIsAOneLineError() throws IOException {
        ImageFolders.png(root.resolve("train/loose.png"), 4, 1);
        IOException e = assertOneLineError(root.resolve("train").toString(),
                () -> ImageFolder.scan(root, "train", ImageFolder.Subset.ALL));
        assertTrue(e.getMessage().contains("has no images"), e.getMessage());
    }

    @Test
    void emptyClassFolderIsAOneLineErrorNamingIt() throws IOException {
        ImageFolders.random(root, "train", 2, 1, 4);
        Files.createDirectories(root.resolve("train/empty/sub"));
        Files.writeString(root.resolve("train/empty/readme.txt"), "no images here");
        IOException e = assertOneLineError(root.resolve("train/empty").toString(),
                () -> ImageFolder.scan(root, "train", ImageFolder.Subset.ALL));
        assertTrue(e.getMessage().contains("has no images"), e.getMessage());
    }

    @Test
    void classMismatchNamesTheClassesFoundInOnlyOneSplit() throws IOException {
        for (String name : List.of("a", "b", "c")) {
            ImageFolders.png(root.resolve("train").resolve(name).resolve("1.png"), 4, 1);
        }
        for (String name : List.of("a", "b", "d", "e")) {
            ImageFolders.png(root.resolve("val").resolve(name).resolve("1.png"), 4, 1);
        }
        ImageFolder train = ImageFolder.scan(root, "train", ImageFolder.Subset.ALL);
        ImageFolder val = ImageFolder.scan(root, "val", ImageFolder.Subset.ALL);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> train.requireSameClasses(val));

        assertEquals("the classes of " + val.directory() + " differ from those of " + train.directory()
                + ": only in train: [c]; only in val: [d, e]", e.getMessage());
        train.requireSameClasses(ImageFolder.scan(root, "train", ImageFolder.Subset.perClass(1, 0)));
    }

    @Test
    void perClassLimitKeepsASeededSortedSubsetOfEachClass() throws IOException {
        ImageFolders.random(root, "train", 3, 10, 4);
        ImageFolder all = ImageFolder.scan(root, "train", ImageFolder.Subset.ALL);

        ImageFolder limited = ImageFolder.scan(root, "train", ImageFolder.Subset.perClass(4, 7));

        assertEquals(12, limited.size());
        for (int label = 0; label < 3; label++) {
            List<ImageFolder.Sample> kept = ofClass(limited, label);
            assertEquals(4, kept.size());
            assertTrue(ofClass(all, label).containsAll(kept));
            assertEquals(kept.stream().sorted(Comparator.comparingInt(all.samples()::indexOf)).toList(), kept,
                    "kept files stay in folder order");
        }
        assertEquals(limited.samples(), ImageFolder.scan(root, "train", ImageFolder.Subset.perClass(4, 7)).samples());
        assertNotEquals(limited.samples(), ImageFolder.scan(root, "train", ImageFolder.Subset.perClass(4, 8)).samples());
    }

    @Test
    void fractionIsRoundedNeverToNothingAndCombinesWithTheLimit() throws IOException {
        ImageFolders.random(root, "train", 2, 10, 4);

        assertEquals(2 * 5, ImageFolder.scan(root, "train", ImageFolder.Subset.fraction(0.45, 1)).size());
        // 0.3 * 10 is 3.0000000000000004 in floating point: still 3.
        assertEquals(2 * 3, ImageFolder.scan(root, "train", ImageFolder.Subset.fraction(0.3, 1)).size());
        assertEquals(2 * 1, ImageFolder.scan(root, "train", ImageFolder.Subset.fraction(0.01, 1)).size());
        assertEquals(2 * 2, ImageFolder.scan(root, "train", new ImageFolder.Subset(2, 0.5, 1)).size());
        assertEquals(2 * 10, ImageFolder.scan(root, "train", ImageFolder.Subset.perClass(100, 1)).size());
        assertThrows(IllegalArgumentException.class, () -> ImageFolder.Subset.fraction(0.0, 1));
        assertThrows(IllegalArgumentException.class, () -> ImageFolder.Subset.perClass(0, 1));
    }

    private static List<ImageFolder.Sample> ofClass(ImageFolder folder, int label) {
        return folder.samples().stream().filter(s -> s.label() == label).toList();
    }

    private static List<String> relativePaths(ImageFolder folder, Path classFolder) {
        Function<ImageFolder.Sample, String> relative = s -> classFolder.relativize(s.path()).toString();
        return folder.samples().stream().map(relative).toList();
    }

    private interface Scan {
        void run() throws IOException;
    }

    private static IOException assertOneLineError(String named, Scan scan) {
        IOException e = assertThrows(IOException.class, scan::run);
        assertTrue(e.getMessage().contains(named), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e;
    }
}
