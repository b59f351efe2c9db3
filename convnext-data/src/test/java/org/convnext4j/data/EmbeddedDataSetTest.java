package org.convnext4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

/** The Fashion-MNIST slice committed under data/fashion-mnist-small (see its README). */
class EmbeddedDataSetTest {

    /** Surefire runs in the module's folder; the data set is at the repository's root. */
    private static final Path ROOT = Path.of("..", "data", "fashion-mnist-small").toAbsolutePath().normalize();

    private static final List<String> CLASSES = List.of(
            "ankle_boot", "bag", "coat", "dress", "pullover", "sandal", "shirt", "sneaker", "trouser", "tshirt");

    @Test
    void splitsHaveTenClassesWithTheExpectedCounts() throws IOException {
        ImageFolder train = ImageFolder.scan(ROOT, "train", ImageFolder.Subset.ALL);
        ImageFolder val = ImageFolder.scan(ROOT, "val", ImageFolder.Subset.ALL);

        assertEquals(CLASSES, train.classes());
        train.requireSameClasses(val);
        assertArrayEquals(counts(200), classCounts(train));
        assertArrayEquals(counts(50), classCounts(val));
    }

    @Test
    void imagesLoadAsThreeChannelBatches() throws IOException {
        ImageFolder val = ImageFolder.scan(ROOT, "val", ImageFolder.Subset.perClass(2, 0));
        try (ImageFolderIterator batches = new ImageFolderIterator(val, new EvalTransform(32, 0.875),
                LoaderConfig.evaluation(20, 2))) {
            DataSet batch = batches.next();

            assertArrayEquals(new long[] {20, 3, 32, 32}, batch.getFeatures().shape());
            assertEquals(0, batches.skippedInEpoch());
        }
    }

    private static int[] counts(int perClass) {
        int[] counts = new int[CLASSES.size()];
        Arrays.fill(counts, perClass);
        return counts;
    }

    private static int[] classCounts(ImageFolder folder) {
        int[] counts = new int[folder.numClasses()];
        folder.samples().forEach(s -> counts[s.label()]++);
        return counts;
    }
}
