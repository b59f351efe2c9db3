package org.convnext4j.train.optim;

import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.LayerTraining;
import org.convnext4j.train.config.Recipe;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

/**
 * AdamW as DL4J pieces, per layer: {@link TorchAdam} on the warm-up + cosine learning rate scaled
 * by the layer's decay factor, plus decoupled weight decay (DL4J's {@code WeightDecay} with the
 * learning rate applied, i.e. p ← p − lr·wd·p beside the Adam step) on weight parameters only.
 * Frozen layers (the stem and the first {@code freezeStages} stages) get no update and no decay.
 */
public final class OptimizerSetup {

    private static final Pattern STAGE = Pattern.compile("s(\\d)\\..*");

    private OptimizerSetup() {
    }

    public static Function<String, LayerTraining> trainingOf(Recipe.Optimizer optimizer, Recipe.Schedule schedule,
                                                             long stepsPerEpoch, int freezeStages) {
        long totalSteps = schedule.epochs() * stepsPerEpoch;
        long warmupSteps = Math.round(schedule.warmupEpochs() * stepsPerEpoch);
        WarmupCosineSchedule lr = new WarmupCosineSchedule(optimizer.lr(), schedule.minLr(), warmupSteps, totalSteps);
        double wdEnd = schedule.weightDecayEnd() == null ? optimizer.weightDecay() : schedule.weightDecayEnd();
        List<Regularization> decay = optimizer.weightDecay() == 0 && wdEnd == 0 ? List.of()
                : List.of(new WeightDecay(new WarmupCosineSchedule(optimizer.weightDecay(), wdEnd, 0, totalSteps), true));
        // DL4J's NoOp updater passes the raw gradient on (an SGD step with rate 1); rate 0 freezes
        LayerTraining frozen = new LayerTraining(new Sgd(0.0), List.of());
        return vertex -> stageOf(vertex) < freezeStages ? frozen : new LayerTraining(
                new TorchAdam(lr.scaled(LayerDecay.scale(vertex, optimizer.layerDecay())),
                        optimizer.betas().get(0), optimizer.betas().get(1), optimizer.eps()),
                decay);
    }

    /** The parameters training changes: those of every layer but the frozen stem and stages. */
    public static long trainableParams(ComputationGraph graph, int freezeStages) {
        long trainable = 0;
        for (Layer layer : graph.getLayers()) {
            if (stageOf(layer.conf().getLayer().getLayerName()) >= freezeStages) {
                trainable += layer.numParams();
            }
        }
        return trainable;
    }

    /** The stage a layer belongs to: the stem counts as stage 0, the head as stage 4. */
    static int stageOf(String vertex) {
        if (vertex.equals(ConvNeXtGraph.STEM)) {
            return 0;
        }
        Matcher m = STAGE.matcher(vertex);
        return m.matches() ? Integer.parseInt(m.group(1)) : 4;
    }
}
