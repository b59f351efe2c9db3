package org.convnext4j.train.loop;

import java.util.Locale;

/**
 * Where training stands, computed from counters alone: how fast it goes, how much of that time went
 * to waiting for data, and when the epoch and the run should end (at the epoch's average batch time).
 *
 * @param epoch             the epoch, from 0
 * @param epochs            epochs in the run
 * @param batch             batches of this epoch done
 * @param batches           batches in an epoch
 * @param batchSize         images per batch
 * @param intervalBatches   batches since the previous line
 * @param intervalNanos     time since the previous line
 * @param intervalWaitNanos of that time, what went to waiting for the next batch of data
 * @param epochBatches      batches this process has run in this epoch (fewer than {@code batch} in a resumed epoch)
 * @param epochNanos        their time
 * @param epochEndSeconds   the evaluation and saves at an epoch's end; NaN until one has been timed
 */
public record TrainProgress(int epoch, int epochs, int batch, int batches, int batchSize, int intervalBatches,
                            long intervalNanos, long intervalWaitNanos, int epochBatches, long epochNanos,
                            double epochEndSeconds) {

    /** Images per second since the previous line. */
    public double imagesPerSecond() {
        return rate(intervalBatches, intervalNanos);
    }

    /** Images per second over this epoch so far. */
    public double epochImagesPerSecond() {
        return rate(epochBatches, epochNanos);
    }

    /** The share of the time since the previous line spent waiting for data, 0 to 1. */
    public double dataWait() {
        return intervalNanos == 0 ? 0 : (double) intervalWaitNanos / intervalNanos;
    }

    /** Seconds until this epoch's last batch. */
    public double epochSecondsLeft() {
        return (batches - batch) * secondsPerBatch();
    }

    /** Seconds until the run's end: the batches left, plus every epoch end left once one has been timed. */
    public double runSecondsLeft() {
        int laterEpochs = epochs - epoch - 1;
        double training = epochSecondsLeft() + (double) laterEpochs * batches * secondsPerBatch();
        return Double.isNaN(epochEndSeconds) ? training : training + (laterEpochs + 1) * epochEndSeconds;
    }

    /**
     * The log line, after timm's: {@code epoch 3/20 [  50/1251 (  3%)]  loss 6.8612 (6.9034)  640 img/s (320 avg)
     * data 5%  lr 1.00e-05  ETA epoch 4m00s, run 1h24m}; the run's ETA reads {@code >1h15m}, without the epoch ends,
     * while none has been timed.
     */
    public String line(double loss, double meanLoss, double lr) {
        int width = Integer.toString(batches).length();
        return String.format(Locale.ROOT, "epoch %d/%d [%" + width + "d/%d (%3d%%)]  loss %.4f (%.4f)  %.0f img/s (%.0f avg)"
                        + "  data %.0f%%  lr %.3g  ETA epoch %s, run %s%s",
                epoch + 1, epochs, batch, batches, 100L * batch / batches, loss, meanLoss, imagesPerSecond(),
                epochImagesPerSecond(), 100 * dataWait(), lr, Durations.format(epochSecondsLeft()),
                Double.isNaN(epochEndSeconds) ? ">" : "", Durations.format(runSecondsLeft()));
    }

    private double secondsPerBatch() {
        return epochBatches == 0 ? Double.NaN : epochNanos / 1e9 / epochBatches;
    }

    private double rate(int batchCount, long nanos) {
        return nanos == 0 ? 0 : batchCount * (double) batchSize / (nanos / 1e9);
    }
}
