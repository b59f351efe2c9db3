package org.convnext4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import org.convnext4j.testsupport.ImageFolders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.LoggerFactory;

class ImageFolderIteratorTest {

    private static final int SIZE = 6;

    @TempDir
    Path root;

    @Test
    void evaluationBatchesFollowTheFolderWithOneHotLabels() throws IOException {
        ImageFolder folder = ImageFolder.scan(ImageFolders.random(root, "val", 2, 5, SIZE), "val", ImageFolder.Subset.ALL);
        EvalTransform transform = new EvalTransform(SIZE, 1.0);

        try (ImageFolderIterator batches = new ImageFolderIterator(folder, transform, LoaderConfig.evaluation(4, 2))) {
            List<DataSet> epoch = drain(batches);

            assertEquals(3, batches.numBatches());
            assertEquals(List.of(4, 4, 2), epoch.stream().map(DataSet::numExamples).toList());
            DataSet last = epoch.get(2);
            assertEquals(DataType.FLOAT, last.getFeatures().dataType());
            assertArrayEquals(new long[] {2, 3, SIZE, SIZE}, last.getFeatures().shape());
            assertArrayEquals(new long[] {2, 2}, last.getLabels().shape());
            for (int i = 0; i < 10; i++) {
                ImageFolder.Sample sample = folder.sample(i);
                DataSet batch = epoch.get(i / 4);
                float[] expected = transform.apply(ImageDecoder.readRgb(sample.path()));
                assertArrayEquals(expected, row(batch, i % 4), 0f, "features of " + sample.path());
                float[] oneHot = new float[2];
                oneHot[sample.label()] = 1f;
                assertArrayEquals(oneHot, batch.getLabels().getRow(i % 4).toFloatVector(), 0f);
            }
            assertEquals(List.of("c0", "c1"), batches.getLabels());
            assertEquals(3 * SIZE * SIZE, batches.inputColumns());
            assertEquals(2, batches.totalOutcomes());
            assertThrows(NoSuchElementException.class, batches::next);
        }
    }

    @Test
    void batchesAreIdenticalWithOneOrThreeWorkers() throws IOException {
        ImageFolder folder = ImageFolder.scan(ImageFolders.random(root, "train", 3, 7, SIZE), "train", ImageFolder.Subset.ALL);
        LoaderConfig oneWorker = new LoaderConfig(4, 1, 1, true, true, true, 42, 0, 1);
        LoaderConfig threeWorkers = new LoaderConfig(4, 3, 5, true, true, true, 42, 0, 1);

        try (ImageFolderIterator one = new ImageFolderIterator(folder, new NoisyTransform(SIZE), oneWorker);
                ImageFolderIterator three = new ImageFolderIterator(folder, new NoisyTransform(SIZE), threeWorkers)) {
            List<DataSet> epoch0 = drain(one);
            assertSameBatches(epoch0, drain(three));
            one.reset();
            three.setEpoch(1);
            List<DataSet> epoch1 = drain(one);
            assertSameBatches(epoch1, drain(three));

            assertEquals(5, epoch0.size(), "21 samples, batch 4, last partial batch dropped");
            assertFalse(Arrays.equals(epoch0.get(0).getFeatures().dup().data().asFloat(), epoch1.get(0).getFeatures().dup().data().asFloat()),
                    "each epoch has its own order and generators");
        }
    }

    @Test
    void shardsAreDisjointAndTogetherCoverTheEpoch() {
        for (boolean dropLast : new boolean[] {false, true}) {
            List<Integer> all = new ArrayList<>();
            Set<Integer> lengths = new HashSet<>();
            for (int rank = 0; rank < 3; rank++) {
                LoaderConfig config = new LoaderConfig(2, 1, 1, true, dropLast, true, 9, rank, 3);
                int[] shard = EpochOrder.shard(11, config, 4);
                lengths.add(shard.length);
                Arrays.stream(shard).forEach(all::add);
            }
            Set<Integer> distinct = new HashSet<>(all);
            assertEquals(all.size(), distinct.size(), "disjoint");
            assertEquals(dropLast ? 9 : 11, distinct.size(), "coverage");
            assertEquals(dropLast ? Set.of(3) : Set.of(3, 4), lengths);
        }
        LoaderConfig unsharded = new LoaderConfig(2, 1, 1, true, false, true, 9, 0, 1);
        int[] order = EpochOrder.shard(11, unsharded, 4);
        int[] rank1 = EpochOrder.shard(11, unsharded.withShard(1, 3), 4);
        assertArrayEquals(new int[] {order[1], order[4], order[7], order[10]}, rank1, "interleaved");
    }

    @Test
    void unreadableFilesAreSkippedCountedAndLoggedOncePerRun() throws IOException {
        ImageFolders.random(root, "train", 1, 6, SIZE);
        Path cls = root.resolve("train/c0");
        byte[] png = Files.readAllBytes(cls.resolve("0.png"));
        Path truncated = Files.write(cls.resolve("1-truncated.png"), Arrays.copyOf(png, png.length / 2));
        Path text = Files.writeString(cls.resolve("4-text.jpg"), "this is not a JPEG");
        ImageFolder folder = ImageFolder.scan(root, "train", ImageFolder.Subset.ALL);
        EvalTransform transform = new EvalTransform(SIZE, 1.0);
        ListAppender<ILoggingEvent> log = captureLog();

        // in folder order, replacing unreadable files as training does
        LoaderConfig replacing = new LoaderConfig(4, 2, 4, false, false, true, 0, 0, 1);
        try (ImageFolderIterator batches = new ImageFolderIterator(folder, transform, replacing)) {
            List<DataSet> epoch0 = drain(batches);
            assertEquals(2, batches.skippedInEpoch());
            batches.reset();
            drain(batches);
            assertEquals(2, batches.skippedInEpoch());

            assertEquals(List.of(4, 4), epoch0.stream().map(DataSet::numExamples).toList(), "batches stay full");
            // Folder order: 0, 1-truncated, 1, 2, 3, 4-text, 4, 5; a bad position takes the next readable file.
            float[] one = transform.apply(ImageDecoder.readRgb(cls.resolve("1.png")));
            float[] four = transform.apply(ImageDecoder.readRgb(cls.resolve("4.png")));
            assertArrayEquals(one, row(epoch0.get(0), 1), 0f);
            assertArrayEquals(one, row(epoch0.get(0), 2), 0f);
            assertArrayEquals(four, row(epoch0.get(1), 1), 0f);
            assertArrayEquals(four, row(epoch0.get(1), 2), 0f);
            assertEquals(Set.of(truncated, text), batches.unreadableFiles());
            List<String> warnings = log.list.stream()
                    .filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
            assertEquals(2, warnings.size(), warnings.toString());
            assertTrue(warnings.stream().anyMatch(w -> w.contains(truncated.toString())), warnings.toString());
            assertTrue(warnings.stream().anyMatch(w -> w.contains(text.toString())), warnings.toString());
        } finally {
            logger().detachAppender(log);
        }
    }

    /** Evaluation leaves unreadable files out of their batches: every readable image once, none twice. */
    @Test
    void evaluationLeavesUnreadableFilesOut() throws IOException {
        ImageFolders.random(root, "val", 1, 6, SIZE);
        Path cls = root.resolve("val/c0");
        Files.write(cls.resolve("1-empty.png"), new byte[0]);
        Files.writeString(cls.resolve("4-text.jpg"), "this is not a JPEG");
        ImageFolder folder = ImageFolder.scan(root, "val", ImageFolder.Subset.ALL);
        EvalTransform transform = new EvalTransform(SIZE, 1.0);
        try (ImageFolderIterator batches = new ImageFolderIterator(folder, transform, LoaderConfig.evaluation(4, 2))) {
            List<DataSet> epoch = drain(batches);
            assertEquals(2, batches.skippedInEpoch());
            // Folder order: 0, 1-empty, 1, 2 | 3, 4-text, 4, 5
            assertEquals(List.of(3, 3), epoch.stream().map(DataSet::numExamples).toList());
            String[] expected = {"0.png", "1.png", "2.png", "3.png", "4.png", "5.png"};
            for (int i = 0; i < expected.length; i++) {
                assertArrayEquals(transform.apply(ImageDecoder.readRgb(cls.resolve(expected[i]))), row(epoch.get(i / 3), i % 3), 0f,
                        expected[i]);
            }
        }
    }

    @Test
    void skipToGivesTheBatchesIterationWouldHaveGiven() throws IOException {
        ImageFolder folder = ImageFolder.scan(ImageFolders.random(root, "train", 2, 9, SIZE), "train", ImageFolder.Subset.ALL);
        LoaderConfig config = new LoaderConfig(3, 2, 2, true, true, true, 5, 0, 1);
        try (ImageFolderIterator batches = new ImageFolderIterator(folder, new NoisyTransform(SIZE), config)) {
            batches.setEpoch(3);
            List<DataSet> epoch = drain(batches);

            batches.setEpoch(0);
            batches.next();
            batches.setEpoch(3);
            batches.skipTo(4);
            assertEquals(4, batches.batchIndex());
            assertSameBatches(epoch.subList(4, 6), drain(batches));

            batches.skipTo(6);
            assertFalse(batches.hasNext());
            assertThrows(IllegalArgumentException.class, () -> batches.skipTo(7));
        }
    }

    @Test
    void closingMidEpochLosesNoBatch() throws IOException {
        ImageFolder folder = ImageFolder.scan(ImageFolders.random(root, "train", 2, 8, SIZE), "train", ImageFolder.Subset.ALL);
        LoaderConfig config = LoaderConfig.training(2, 2, 3);
        try (ImageFolderIterator batches = new ImageFolderIterator(folder, new NoisyTransform(SIZE), config)) {
            List<DataSet> epoch = drain(batches);
            batches.setEpoch(0);

            List<DataSet> interrupted = new ArrayList<>(List.of(batches.next(), batches.next()));
            batches.close();
            interrupted.addAll(drain(batches));

            assertSameBatches(epoch, interrupted);
        }
    }

    @Test
    void aFailedBatchIsRetriedByTheNextCall() throws IOException {
        ImageFolder folder = ImageFolder.scan(ImageFolders.random(root, "train", 1, 4, SIZE), "train", ImageFolder.Subset.ALL);
        EvalTransform eval = new EvalTransform(SIZE, 1.0);
        AtomicBoolean failing = new AtomicBoolean(true);
        SampleTransform flaky = new SampleTransform() {
            @Override
            public int imageSize() {
                return SIZE;
            }

            @Override
            public float[] apply(BufferedImage rgb, RandomGenerator rng) {
                if (failing.get()) {
                    throw new IllegalStateException("transform bug");
                }
                return eval.apply(rgb);
            }
        };
        try (ImageFolderIterator batches = new ImageFolderIterator(folder, flaky, LoaderConfig.evaluation(2, 2))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, batches::next);
            assertTrue(e.getMessage().contains("transform bug"), e.getMessage());
            assertEquals(0, batches.batchIndex());

            failing.set(false);

            assertArrayEquals(eval.apply(ImageDecoder.readRgb(folder.sample(0).path())), row(batches.next(), 0), 0f);
        }
    }

    @Test
    void noThreadOutlivesAnEpochOrAClose() throws Exception {
        ImageFolder folder = ImageFolder.scan(ImageFolders.random(root, "train", 2, 8, SIZE), "train", ImageFolder.Subset.ALL);
        try (ImageFolderIterator batches = new ImageFolderIterator(folder, new EvalTransform(SIZE, 1.0),
                LoaderConfig.training(2, 3, 1))) {
            batches.next();
            assertFalse(loaderThreads().isEmpty(), "workers run while the epoch does");
            drain(batches);
            assertNoLoaderThreadsLeft();

            batches.reset();
            batches.next();
            batches.close();
            assertNoLoaderThreadsLeft();
        }
    }

    private static void assertNoLoaderThreadsLeft() throws InterruptedException {
        // Stopped workers exit once their current batch is done; wait for that, however slow the machine.
        for (Thread thread : loaderThreads()) {
            thread.join(60_000);
        }
        assertEquals(List.of(), loaderThreads());
    }

    private static List<Thread> loaderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("image-loader-") && t.isAlive())
                .toList();
    }

    private static List<DataSet> drain(ImageFolderIterator batches) {
        List<DataSet> out = new ArrayList<>();
        while (batches.hasNext()) {
            out.add(batches.next());
        }
        return out;
    }

    private static float[] row(DataSet batch, int index) {
        return batch.getFeatures().slice(index).dup().data().asFloat();
    }

    private static void assertSameBatches(List<DataSet> expected, List<DataSet> actual) {
        assertEquals(expected.size(), actual.size(), "batches");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i).getFeatures().dup().data().asFloat(), actual.get(i).getFeatures().dup().data().asFloat(),
                    0f, "features of batch " + i);
            assertArrayEquals(expected.get(i).getLabels().dup().data().asFloat(), actual.get(i).getLabels().dup().data().asFloat(),
                    0f, "labels of batch " + i);
        }
    }

    private static Logger logger() {
        return (Logger) LoggerFactory.getLogger(ImageFolderIterator.class);
    }

    private static ListAppender<ILoggingEvent> captureLog() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger().addAppender(appender);
        return appender;
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
