package org.convnext4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

/** Work that never ends costs its caller the time limit and one line, not the run. */
class TimeLimitTest {

    @Test
    void workPastTheLimitIsGivenUp() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        long started = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> TimeLimit.run(() -> {
            while (true) {
                never.await();   // a decoder that never returns
            }
        }, Duration.ofMillis(200), "Cannot read image x.png"));
        assertEquals("Cannot read image x.png: took longer than 0.2 s, given up", e.getMessage());
        assertTrue(System.nanoTime() - started < 5_000_000_000L, "the caller waited the limit, not forever");
    }

    @Test
    void resultsAndFailuresComeBackAsTheyAre() throws IOException {
        assertEquals("ok", TimeLimit.run(() -> "ok", Duration.ofSeconds(10), "w"));
        IOException failure = new IOException("Cannot read image y.png: truncated file");
        assertSame(failure, assertThrows(IOException.class, () -> TimeLimit.run(() -> {
            throw failure;
        }, Duration.ofSeconds(10), "w")));
    }
}
