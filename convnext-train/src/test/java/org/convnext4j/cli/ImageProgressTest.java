package org.convnext4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Progress lines by a given clock: when they come and what they say. */
class ImageProgressTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aLineAtMostEveryIntervalWithTheRateAndEtaSoFar() {
        long[] now = {0};
        List<String> lines = new ArrayList<>();
        ImageProgress progress = new ImageProgress("evaluated", 50_000, 10 * SECOND, () -> now[0], lines::add);
        now[0] = 4 * SECOND;
        progress.add(1_600);
        now[0] = 8 * SECOND;
        progress.add(1_600);
        assertEquals(List.of(), lines, "not 10 s yet");
        now[0] = 10 * SECOND;
        progress.add(1_000);
        now[0] = 15 * SECOND;
        progress.add(1_000);
        now[0] = 20 * SECOND;
        progress.add(1_000);
        assertEquals(List.of("evaluated 4,200/50,000 images (8%), 420 img/s, ETA 1m49s",
                "evaluated 6,200/50,000 images (12%), 310 img/s, ETA 2m21s"), lines);
    }

    @Test
    void anIntervalOfZeroIsALineAfterEveryBatch() {
        long[] now = {0};
        List<String> lines = new ArrayList<>();
        ImageProgress progress = new ImageProgress("predicted", 4, 0, () -> now[0], lines::add);
        now[0] = SECOND;
        progress.add(3);
        now[0] = 2 * SECOND;
        progress.add(1);
        assertEquals(List.of("predicted 3/4 images (75%), 3 img/s, ETA 0s", "predicted 4/4 images (100%), 2 img/s, ETA 0s"), lines);
    }

    @Test
    void noTimeYetMeansNoRateAndNoEta() {
        assertEquals("evaluated 0/10 images (0%), 0 img/s, ETA ?", ImageProgress.line("evaluated", 0, 10, 0));
    }
}
