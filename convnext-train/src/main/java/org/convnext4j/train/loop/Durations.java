package org.convnext4j.train.loop;

import java.util.Locale;

/** Durations as a progress line shows them: {@code 42s}, {@code 9m12s}, {@code 1h05m}. */
public final class Durations {

    private Durations() {
    }

    /** Seconds as whole seconds below an hour and whole minutes above; {@code ?} when not a number. */
    public static String format(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "?";
        }
        long whole = Math.max(0, Math.round(seconds));
        if (whole < 60) {
            return whole + "s";
        }
        if (whole < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", whole / 60, whole % 60);
        }
        long minutes = Math.round(whole / 60.0);
        return String.format(Locale.ROOT, "%dh%02dm", minutes / 60, minutes % 60);
    }
}
