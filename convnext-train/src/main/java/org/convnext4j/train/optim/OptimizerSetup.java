package org.convnext4j.train.optim;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.Vertex;
import org.convnext4j.model.optim.AdamW;
import org.convnext4j.train.config.Recipe;
import org.deeplearning4j.nn.graph.ComputationGraph;

/** A recipe's optimizer and schedule as the model's {@link AdamW}, with epochs turned into optimizer steps. */
public final class OptimizerSetup {

    private OptimizerSetup() {
    }

    public static AdamW adamW(Recipe.Optimizer optimizer, Recipe.Schedule schedule, long stepsPerEpoch, int freezeStages) {
        long totalSteps = schedule.epochs() * stepsPerEpoch;
        long warmupSteps = Math.round(schedule.warmupEpochs() * stepsPerEpoch);
        double wdEnd = schedule.weightDecayEnd() == null ? optimizer.weightDecay() : schedule.weightDecayEnd();
        return new AdamW(optimizer.lr(), schedule.minLr(), warmupSteps, totalSteps, optimizer.betas().get(0),
                optimizer.betas().get(1), optimizer.eps(), optimizer.weightDecay(), wdEnd, optimizer.layerDecay(),
                optimizer.layerDecayType(), freezeStages);
    }

    /** The parameters training changes: those of every layer but the frozen stem and stages. */
    public static long trainableParams(ComputationGraph graph, ConvNeXtConfig config, int freezeStages) {
        long trainable = 0;
        for (Vertex vertex : Vertex.all(config)) {
            if (vertex.stage() >= freezeStages) {
                trainable += graph.getLayer(vertex.name()).numParams();
            }
        }
        return trainable;
    }
}
