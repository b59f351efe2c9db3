package org.convnext4j.model.optim;

import java.util.Objects;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The official ConvNeXt {@code cosine_scheduler}, per optimizer step: a linear warm-up from 0 to
 * {@code base} over {@code warmupSteps} steps (numpy's linspace, so step warmupSteps − 1 is already
 * at base), then a cosine from {@code base} to {@code end} over the remaining steps; {@code end}
 * after {@code totalSteps}. Stored inside DL4J's network JSON, so it is a plain bean.
 */
public class WarmupCosineSchedule implements ISchedule {

    private final double base;
    private final double end;
    private final long warmupSteps;
    private final long totalSteps;

    public WarmupCosineSchedule(@JsonProperty("base") double base, @JsonProperty("end") double end,
                                @JsonProperty("warmupSteps") long warmupSteps, @JsonProperty("totalSteps") long totalSteps) {
        if (warmupSteps < 0 || totalSteps <= warmupSteps) {
            throw new IllegalArgumentException("need 0 <= warm-up steps < total steps, got " + warmupSteps + " and " + totalSteps);
        }
        this.base = base;
        this.end = end;
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (iteration < warmupSteps) {
            return warmupSteps == 1 ? base : base * iteration / (warmupSteps - 1);
        }
        if (iteration >= totalSteps) {
            return end;
        }
        double progress = (double) (iteration - warmupSteps) / (totalSteps - warmupSteps);
        return end + 0.5 * (base - end) * (1 + Math.cos(Math.PI * progress));
    }

    /** The same shape with both ends multiplied by {@code factor}: a layer-decay group's schedule. */
    public WarmupCosineSchedule scaled(double factor) {
        return new WarmupCosineSchedule(base * factor, end * factor, warmupSteps, totalSteps);
    }

    @Override
    public ISchedule clone() {
        return new WarmupCosineSchedule(base, end, warmupSteps, totalSteps);
    }

    public double getBase() {
        return base;
    }

    public double getEnd() {
        return end;
    }

    public long getWarmupSteps() {
        return warmupSteps;
    }

    public long getTotalSteps() {
        return totalSteps;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WarmupCosineSchedule s && Double.compare(base, s.base) == 0 && Double.compare(end, s.end) == 0
                && warmupSteps == s.warmupSteps && totalSteps == s.totalSteps;
    }

    @Override
    public int hashCode() {
        return Objects.hash(base, end, warmupSteps, totalSteps);
    }
}
