package org.convnext4j.train.optim;

import java.util.List;
import java.util.function.Function;

import org.convnext4j.train.config.Recipe;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

/**
 * AdamW as DL4J pieces: {@link TorchAdam} per layer, on the warm-up + cosine learning rate scaled
 * by the layer's decay factor, plus decoupled weight decay (DL4J's {@code WeightDecay} with the
 * learning rate applied, i.e. p ← p − lr·wd·p beside the Adam step) on weight parameters only.
 */
public record OptimizerSetup(Function<String, IUpdater> updaterForVertex, List<Regularization> weightDecay) {

    public static OptimizerSetup of(Recipe.Optimizer optimizer, Recipe.Schedule schedule, long stepsPerEpoch) {
        long totalSteps = schedule.epochs() * stepsPerEpoch;
        long warmupSteps = Math.round(schedule.warmupEpochs() * stepsPerEpoch);
        WarmupCosineSchedule lr = new WarmupCosineSchedule(optimizer.lr(), schedule.minLr(), warmupSteps, totalSteps);
        Function<String, IUpdater> updaters = vertex -> new TorchAdam(
                lr.scaled(LayerDecay.scale(vertex, optimizer.layerDecay())),
                optimizer.betas().get(0), optimizer.betas().get(1), optimizer.eps());
        double wdEnd = schedule.weightDecayEnd() == null ? optimizer.weightDecay() : schedule.weightDecayEnd();
        List<Regularization> decay = optimizer.weightDecay() == 0 && wdEnd == 0 ? List.of()
                : List.of(new WeightDecay(new WarmupCosineSchedule(optimizer.weightDecay(), wdEnd, 0, totalSteps), true));
        return new OptimizerSetup(updaters, decay);
    }
}
