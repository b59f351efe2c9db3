package org.convnext4j.cli;

import java.util.List;
import java.util.Locale;

import org.convnext4j.train.config.Recipe;
import org.convnext4j.train.loop.TrainState;
import org.convnext4j.train.loop.TrainingRun;
import org.convnext4j.train.optim.OptimizerSetup;

/** The lines a training run starts its log with: the model, the data, the batching and schedule, and what computes it. */
final class TrainingSummary {

    private TrainingSummary() {
    }

    static List<String> lines(TrainingRun run) {
        Recipe recipe = run.recipe();
        int batchSize = recipe.data().batchSize();
        int updateFreq = recipe.training().updateFreq();
        int epochs = recipe.schedule().epochs();
        int workers = recipe.data().workers();
        return List.of(
                String.format(Locale.ROOT, "model: %s at %d px, %d classes; %,d parameters, %,d trainable", run.info().variant(),
                        run.info().imageSize(), run.info().classNames().size(), run.graph().numParams(),
                        OptimizerSetup.trainableParams(run.graph(), run.info().config(), recipe.model().freezeStages())),
                String.format(Locale.ROOT, "data: %,d training images, %,d batches of %d per epoch; %,d validation images; %d worker%s",
                        run.train().folder().size(), run.train().numBatches(), batchSize, run.val().folder().size(), workers,
                        workers == 1 ? "" : "s"),
                String.format(Locale.ROOT, "schedule: %d epoch%s %s; update_freq %d, effective batch %,d; optimizer steps %,d per epoch,"
                                + " %,d in all; EMA %s", epochs, epochs == 1 ? "" : "s", start(run.state()), updateFreq,
                        batchSize * updateFreq, run.stepsPerEpoch(), epochs * run.stepsPerEpoch(),
                        recipe.training().ema() ? "on (decay " + recipe.training().emaDecay() + ")" : "off"),
                "runtime: " + RuntimeReport.runtime());
    }

    /** Where the run starts, in the 1-based epochs the progress lines count. */
    private static String start(TrainState state) {
        if (state.epoch() == 0 && state.batchesDone() == 0) {
            return "from the start";
        }
        return state.batchesDone() == 0
                ? String.format(Locale.ROOT, "from epoch %d (step %,d)", state.epoch() + 1, state.step())
                : String.format(Locale.ROOT, "from epoch %d after its batch %,d (step %,d)", state.epoch() + 1, state.batchesDone(),
                        state.step());
    }
}
