package org.convnext4j.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The progress arithmetic on given counters and times: exact numbers, no clock. */
class TrainProgressTest {

    private static final long SECOND = 1_000_000_000L;

    /** Epoch 3 of 20, 50 of 1251 batches of 64 done in 10 s, the last 10 of them in 1 s with 0.05 s of waiting for data. */
    private static TrainProgress progress(double epochEndSeconds) {
        return new TrainProgress(2, 20, 50, 1251, 64, 10, SECOND, 5 * SECOND / 100, 50, 10 * SECOND, epochEndSeconds);
    }

    @Test
    void ratesAndDataWaitAreOverTheIntervalAndTheEpoch() {
        TrainProgress p = progress(Double.NaN);
        assertEquals(640.0, p.imagesPerSecond(), 1e-9);   // 10 × 64 images in 1 s
        assertEquals(320.0, p.epochImagesPerSecond(), 1e-9);   // 50 × 64 in 10 s
        assertEquals(0.05, p.dataWait(), 1e-12);
    }

    @Test
    void etasCountTheBatchesLeftAtTheEpochsAverageAndEachEpochEndOnceTimed() {
        assertEquals(1201 * 0.2, progress(Double.NaN).epochSecondsLeft(), 1e-9);
        assertEquals(1201 * 0.2 + 17 * 1251 * 0.2, progress(Double.NaN).runSecondsLeft(), 1e-9);
        // this epoch's end and the 17 later ones
        assertEquals(1201 * 0.2 + 17 * 1251 * 0.2 + 18 * 30, progress(30).runSecondsLeft(), 1e-9);
    }

    @Test
    void theLineShowsEveryField() {
        assertEquals("epoch 3/20 [  50/1251 (  3%)]  loss 6.8612 (6.9034)  640 img/s (320 avg)  data 5%  lr 1.00e-05"
                + "  ETA epoch 4m00s, run >1h15m", progress(Double.NaN).line(6.8612, 6.9034, 1e-5));
        assertEquals("epoch 3/20 [  50/1251 (  3%)]  loss 6.8612 (6.9034)  640 img/s (320 avg)  data 5%  lr 1.00e-05"
                + "  ETA epoch 4m00s, run 1h24m", progress(30).line(6.8612, 6.9034, 1e-5));
    }

    /** A resumed epoch: its average batch time is over the batches this process ran, not those it skipped. */
    @Test
    void theClockTimesIntervalsAndTheEpochFromStamps() {
        ProgressClock clock = new ProgressClock(2, 6, 4);
        clock.startEpoch(1, 100);
        clock.batchDone(SECOND / 2);
        clock.batchDone(SECOND / 2);
        TrainProgress first = clock.lap(4, 100 + 4 * SECOND);   // resumed at batch 2: two batches done here, in 4 s
        assertEquals(new TrainProgress(1, 2, 4, 6, 4, 2, 4 * SECOND, SECOND, 2, 4 * SECOND, Double.NaN), first);
        clock.batchDone(0);
        TrainProgress second = clock.lap(5, 100 + 5 * SECOND);
        assertEquals(new TrainProgress(1, 2, 5, 6, 4, 1, SECOND, 0, 3, 5 * SECOND, Double.NaN), second);
        assertEquals(5.0 / 3, second.epochSecondsLeft(), 1e-12);
        clock.epochEnded(3 * SECOND);
        clock.startEpoch(2, 200 * SECOND);
        clock.batchDone(0);
        assertEquals(3.0, clock.lap(1, 201 * SECOND).epochEndSeconds(), 0);
    }

    @Test
    void durationsReadAsSecondsMinutesOrHours() {
        assertEquals("0s", Durations.format(0));
        assertEquals("42s", Durations.format(42.4));
        assertEquals("1m00s", Durations.format(59.6));
        assertEquals("9m12s", Durations.format(552));
        assertEquals("59m59s", Durations.format(3599.4));
        assertEquals("1h00m", Durations.format(3599.6));
        assertEquals("1h05m", Durations.format(3900));
        assertEquals("27h47m", Durations.format(100_000));
        assertEquals("?", Durations.format(Double.NaN));
    }
}
