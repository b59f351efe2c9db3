package org.convnext4j.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams an {@link ImageFolder} as batches: NCHW float features {@code [batch, 3, size, size]} and
 * one-hot float labels {@code [batch, classes]}. Worker threads decode and transform whole batches
 * ahead of the consumer, at most {@link LoaderConfig#prefetchBatches()} of them, so memory stays
 * bounded whatever the folder's size.
 *
 * <p><b>Determinism.</b> A batch's contents depend on (seed, epoch, batch index) and on which files
 * are unreadable, never on the number of threads or their timing: the epoch's order is fixed by
 * {@link EpochOrder}; batch k holds the shard's positions [k·B, (k+1)·B); the sample at a position
 * is transformed with a generator seeded by (seed, epoch, the index of that position's sample in
 * the folder); batches are handed out in index order.
 *
 * <p><b>Unreadable files.</b> When a position's file cannot be decoded, the position takes the next
 * readable file of the shard instead (positions after it, wrapping round), still transformed with
 * the position's own generator. That keeps every batch full and every batch's place in the epoch
 * fixed (so a resumed epoch needs no decoding to find its place, and all ranks get as many batches),
 * at the cost of one image appearing twice. Each unreadable file is logged once per iterator (a
 * training run), counted in {@link #skippedInEpoch()} for every epoch it is met, and not read again.
 *
 * <p><b>Epochs and resuming.</b> A new iterator starts at epoch 0, batch 0. {@link #reset()} moves to
 * the next epoch (DL4J's {@code fit} calls it once an epoch is exhausted); {@link #setEpoch(int)}
 * and {@link #skipTo(int)} put the iterator anywhere, without decoding the batches passed over.
 *
 * <p><b>Threads.</b> Workers are daemon threads, started when a batch is first asked for and stopped
 * when the epoch's last batch is handed out, on every reposition, and by {@link #close()}. They call
 * the transform concurrently, so it must keep no state between calls (the records here keep none).
 */
public final class ImageFolderIterator implements DataSetIterator, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ImageFolderIterator.class);
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ImageFolder folder;
    private final SampleTransform transform;
    private final LoaderConfig config;
    private final Set<Path> unreadable = ConcurrentHashMap.newKeySet();
    private final ArrayDeque<Future<LoadedBatch>> inFlight = new ArrayDeque<>();
    private DataSetPreProcessor preProcessor;
    private ExecutorService workers;

    private int epoch;
    private int[] shard;
    /** The batch {@link #next()} returns. */
    private int nextBatch;
    /** The first batch not yet given to the workers. */
    private int nextSubmitted;
    private int skipped;

    public ImageFolderIterator(ImageFolder folder, SampleTransform transform, LoaderConfig config) {
        this.folder = folder;
        this.transform = transform;
        this.config = config;
        setEpoch(0);
    }

    /** Repositions to the start of {@code epoch}. */
    public void setEpoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        }
        this.epoch = epoch;
        this.shard = EpochOrder.shard(folder.size(), config, epoch);
        this.skipped = 0;
        moveTo(0);
    }

    /**
     * Repositions so that {@link #next()} returns batch {@code batchIndex} of the current epoch, as
     * if the batches before it had been taken; {@link #skippedInEpoch()} restarts from zero.
     */
    public void skipTo(int batchIndex) {
        if (batchIndex < 0 || batchIndex > numBatches()) {
            throw new IllegalArgumentException("batch index must be in [0, " + numBatches() + "], got " + batchIndex);
        }
        this.skipped = 0;
        moveTo(batchIndex);
    }

    /** The folder streamed. */
    public ImageFolder folder() {
        return folder;
    }

    public int epoch() {
        return epoch;
    }

    /** The index, within the epoch, of the batch {@link #next()} returns: the position to checkpoint. */
    public int batchIndex() {
        return nextBatch;
    }

    /** Batches in one epoch of this rank. */
    public int numBatches() {
        int full = shard.length / config.batchSize();
        return config.dropLast() || shard.length % config.batchSize() == 0 ? full : full + 1;
    }

    /** Positions whose file was unreadable, among the batches handed out this epoch (since a {@link #skipTo}). */
    public int skippedInEpoch() {
        return skipped;
    }

    /** Every file found unreadable so far by this iterator. */
    public Set<Path> unreadableFiles() {
        return Set.copyOf(unreadable);
    }

    @Override
    public boolean hasNext() {
        return nextBatch < numBatches();
    }

    @Override
    public DataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " has only " + numBatches() + " batches");
        }
        submitAhead();
        LoadedBatch batch;
        try {
            batch = await(inFlight.removeFirst());
        } catch (RuntimeException e) {
            // Leave the iterator where it was, so that a caller that carries on retries this batch.
            moveTo(nextBatch);
            throw e;
        }
        nextBatch++;
        skipped += batch.skipped();
        if (hasNext()) {
            submitAhead();
        } else {
            stopWorkers();
        }
        DataSet data = batch.toDataSet(transform.imageSize(), folder.numClasses());
        if (preProcessor != null) {
            preProcessor.preProcess(data);
        }
        return data;
    }

    /** Starts the next epoch. */
    @Override
    public void reset() {
        setEpoch(epoch + 1);
    }

    /**
     * Stops the worker threads now. The iterator stays usable where it was: the next batch asked for
     * restarts them.
     */
    @Override
    public void close() {
        moveTo(nextBatch);
    }

    @Override
    public DataSet next(int num) {
        throw new UnsupportedOperationException("the batch size is fixed by LoaderConfig");
    }

    @Override
    public int inputColumns() {
        return 3 * transform.imageSize() * transform.imageSize();
    }

    @Override
    public int totalOutcomes() {
        return folder.numClasses();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    /** It already prefetches; DL4J's async wrapper would add threads and hide the epoch's position. */
    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public int batch() {
        return config.batchSize();
    }

    /** Runs on the consumer's thread, on batches in order, so a seeded preprocessor stays deterministic. */
    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return folder.classes();
    }

    private void moveTo(int batchIndex) {
        stopWorkers();
        nextBatch = batchIndex;
        nextSubmitted = batchIndex;
    }

    private void submitAhead() {
        if (workers == null) {
            workers = Executors.newFixedThreadPool(config.workers(), daemonThreads());
        }
        while (inFlight.size() < config.prefetchBatches() && nextSubmitted < numBatches()) {
            int batchIndex = nextSubmitted++;
            int batchEpoch = epoch;
            int[] batchShard = shard;
            inFlight.addLast(workers.submit(() -> load(batchEpoch, batchShard, batchIndex)));
        }
    }

    /**
     * Batches in flight belong to the old position: queued ones are cancelled, running ones finish
     * into nothing, and the threads exit. Nothing is interrupted, so no decode fails half-way and
     * marks a good file unreadable.
     */
    private void stopWorkers() {
        inFlight.forEach(batch -> batch.cancel(false));
        inFlight.clear();
        if (workers != null) {
            workers.shutdown();
            workers = null;
        }
    }

    private static ThreadFactory daemonThreads() {
        String prefix = "image-loader-" + POOLS.incrementAndGet() + "-";
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static LoadedBatch await(Future<LoadedBatch> batch) {
        try {
            return batch.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("loading a batch failed: " + e.getCause(), e.getCause());
        }
    }

    /** Runs on a worker: takes the epoch's state as arguments, since the consumer may move on meanwhile. */
    private LoadedBatch load(int epoch, int[] shard, int batchIndex) {
        int first = batchIndex * config.batchSize();
        int size = Math.min(config.batchSize(), shard.length - first);
        int sampleLength = inputColumns();
        int classes = folder.numClasses();
        float[] features = new float[size * sampleLength];
        float[] labels = new float[size * classes];
        int skippedHere = 0;
        int slot = 0;
        for (int position = first; position < first + size; position++) {
            RandomGenerator rng = Seeds.generator(config.seed(), epoch, shard[position]);
            Decoded decoded = config.replaceUnreadable() ? firstReadableFrom(shard, position) : readableOrNull(shard, position);
            if (decoded == null || decoded.position() != position) {
                skippedHere++;
            }
            if (decoded == null) {
                continue;
            }
            float[] chw = transform.apply(decoded.image(), rng);
            System.arraycopy(chw, 0, features, slot * sampleLength, sampleLength);
            labels[slot * classes + folder.sample(shard[decoded.position()]).label()] = 1f;
            slot++;
        }
        return new LoadedBatch(slot, Arrays.copyOf(features, slot * sampleLength), Arrays.copyOf(labels, slot * classes), skippedHere);
    }

    /** The image at {@code position}, or null when it cannot be read (left out of its batch). */
    private Decoded readableOrNull(int[] shard, int position) {
        BufferedImage image = readOrNull(folder.sample(shard[position]).path());
        return image == null ? null : new Decoded(position, image);
    }

    private Decoded firstReadableFrom(int[] shard, int position) {
        for (int step = 0; step < shard.length; step++) {
            int candidate = (position + step) % shard.length;
            BufferedImage image = readOrNull(folder.sample(shard[candidate]).path());
            if (image != null) {
                return new Decoded(candidate, image);
            }
        }
        throw new IllegalStateException("no readable image among the " + shard.length + " of this shard of "
                + folder.directory());
    }

    private BufferedImage readOrNull(Path file) {
        if (unreadable.contains(file)) {
            return null;
        }
        try {
            return ImageDecoder.readRgb(file);
        } catch (IOException e) {
            if (unreadable.add(file)) {
                LOG.warn("Skipping for the rest of this run: {}", e.getMessage());
            }
            return null;
        }
    }

    private record Decoded(int position, BufferedImage image) {
    }

    private record LoadedBatch(int size, float[] features, float[] labels, int skipped) {

        DataSet toDataSet(int imageSize, int classes) {
            return new DataSet(
                    Nd4j.create(features, new long[] {size, 3, imageSize, imageSize}, 'c'),
                    Nd4j.create(labels, new long[] {size, classes}, 'c'));
        }
    }
}
