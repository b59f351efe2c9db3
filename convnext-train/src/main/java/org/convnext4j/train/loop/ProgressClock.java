package org.convnext4j.train.loop;

/**
 * The times behind {@link TrainProgress}, kept from the {@link System#nanoTime()} stamps the loop
 * hands in: since the epoch began, since the previous line, the part of it spent waiting for data,
 * and how long the last epoch end (evaluation and saves) took.
 */
final class ProgressClock {

    private final int epochs;
    private final int batches;
    private final int batchSize;
    private int epoch;
    private long epochStart;
    private int epochBatches;
    private long intervalStart;
    private int intervalBatches;
    private long intervalWait;
    private double epochEndSeconds = Double.NaN;

    ProgressClock(int epochs, int batches, int batchSize) {
        this.epochs = epochs;
        this.batches = batches;
        this.batchSize = batchSize;
    }

    void startEpoch(int epoch, long now) {
        this.epoch = epoch;
        epochStart = now;
        epochBatches = 0;
        intervalStart = now;
        intervalBatches = 0;
        intervalWait = 0;
    }

    /** One more batch done, after {@code waitNanos} of waiting for its data. */
    void batchDone(long waitNanos) {
        epochBatches++;
        intervalBatches++;
        intervalWait += waitNanos;
    }

    /** Where the epoch stands at {@code now}, with {@code batch} of its batches done; the next interval starts here. */
    TrainProgress lap(int batch, long now) {
        TrainProgress progress = new TrainProgress(epoch, epochs, batch, batches, batchSize, intervalBatches, now - intervalStart,
                intervalWait, epochBatches, now - epochStart, epochEndSeconds);
        intervalStart = now;
        intervalBatches = 0;
        intervalWait = 0;
        return progress;
    }

    /** An epoch's end (its evaluation and saves) took {@code nanos}; the run's ETA counts one for each epoch left. */
    void epochEnded(long nanos) {
        epochEndSeconds = nanos / 1e9;
    }
}
