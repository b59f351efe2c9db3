package org.convnext4j.cli;

import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.convnext4j.train.loop.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress through a folder of images, a line at most every interval:
 * {@code evaluated 3,200/50,000 images (6%), 420 img/s, ETA 1m52s}. By time rather than by batches,
 * so that the lines come as regularly on a fast machine as on a slow one.
 */
final class ImageProgress {

    private static final Logger LOG = LoggerFactory.getLogger(ImageProgress.class);

    private final String verb;
    private final long total;
    private final long intervalNanos;
    private final LongSupplier clock;
    private final Consumer<String> sink;
    private final long start;
    private long lastLine;
    private long done;

    /**
     * @param verb  what is done to the images, e.g. {@code evaluated}
     * @param clock nanoseconds, as {@link System#nanoTime()}
     * @param sink  where the lines go
     */
    ImageProgress(String verb, long total, long intervalNanos, LongSupplier clock, Consumer<String> sink) {
        this.verb = verb;
        this.total = total;
        this.intervalNanos = intervalNanos;
        this.clock = clock;
        this.sink = sink;
        this.start = clock.getAsLong();
        this.lastLine = start;
    }

    /** Lines to the log, at most every {@code intervalSeconds} (0: after every batch). */
    static ImageProgress logged(String verb, long total, double intervalSeconds) {
        return new ImageProgress(verb, total, Math.round(intervalSeconds * 1e9), System::nanoTime, LOG::info);
    }

    /** {@code images} more are done; a line when the interval has passed since the last one. */
    void add(int images) {
        done += images;
        long now = clock.getAsLong();
        if (now - lastLine >= intervalNanos) {
            sink.accept(line(verb, done, total, (now - start) / 1e9));
            lastLine = now;
        }
    }

    /** The line for {@code done} of {@code total} images in {@code seconds}; the ETA at the rate so far. */
    static String line(String verb, long done, long total, double seconds) {
        double rate = seconds > 0 ? done / seconds : 0;
        return String.format(Locale.ROOT, "%s %,d/%,d images (%d%%), %.0f img/s, ETA %s", verb, done, total,
                total == 0 ? 100 : 100 * done / total, rate, Durations.format(rate > 0 ? (total - done) / rate : Double.NaN));
    }
}
