package org.convnext4j.data.augment;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.random.RandomGenerator;

/**
 * A generator that hands out scripted values, so a test can fix each draw of a transform and check
 * which draws it makes and in what order. Any draw not scripted, or of another kind, fails.
 */
final class ScriptedRandom implements RandomGenerator {

    private final Deque<Object[]> script = new ArrayDeque<>();

    /** The next draw must be {@code nextInt(bound)}; it returns {@code value}. */
    ScriptedRandom thenInt(int bound, int value) {
        script.add(new Object[] {"nextInt(" + bound + ")", value});
        return this;
    }

    ScriptedRandom thenDouble(double value) {
        script.add(new Object[] {"nextDouble()", value});
        return this;
    }

    ScriptedRandom thenGaussian(double value) {
        script.add(new Object[] {"nextGaussian()", value});
        return this;
    }

    boolean exhausted() {
        return script.isEmpty();
    }

    @Override
    public int nextInt(int bound) {
        return (Integer) take("nextInt(" + bound + ")");
    }

    @Override
    public double nextDouble() {
        return (Double) take("nextDouble()");
    }

    @Override
    public double nextGaussian() {
        return (Double) take("nextGaussian()");
    }

    @Override
    public long nextLong() {
        throw new AssertionError("unscripted draw nextLong()");
    }

    private Object take(String draw) {
        Object[] next = script.poll();
        if (next == null) {
            throw new AssertionError("unscripted draw " + draw);
        }
        if (!next[0].equals(draw)) {
            throw new AssertionError("expected draw " + next[0] + ", got " + draw);
        }
        return next[1];
    }
}
