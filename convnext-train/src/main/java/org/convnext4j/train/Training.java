package org.convnext4j.train;

import java.io.IOException;
import java.nio.file.Path;

import org.convnext4j.train.config.Recipe;
import org.convnext4j.train.loop.TrainState;
import org.convnext4j.train.loop.Trainer;
import org.convnext4j.train.loop.TrainingRun;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;

/**
 * Training from Java, as {@code convnext train} does it (the command line is this class plus a log file
 * and a signal handler):
 * <pre>
 * Recipe recipe = RecipeLoader.load(Path.of("configs/quickstart.yaml"), List.of("schedule.epochs=2"));
 * try (Training training = Training.prepare(recipe, null)) {
 *     training.addListeners(new ScoreIterationListener(50));
 *     TrainState end = training.run();
 * }
 * </pre>
 * DL4J {@link TrainingListener}s hear each optimizer step ({@code iterationDone}, with the step as the
 * iteration), its final gradient, every micro-batch's forward and backward pass, and epoch start and end.
 * {@link #requestStop()} may be called from any thread: the run saves its last optimizer step and returns.
 */
public final class Training implements AutoCloseable {

    private final TrainingRun run;
    private final Trainer trainer;

    private Training(TrainingRun run) {
        this.run = run;
        this.trainer = new Trainer(run);
    }

    /**
     * Reads the data, builds or restores the network and writes the effective recipe into the output folder.
     *
     * @param resume null for a fresh run (refused if the output folder holds another run), {@code "auto"} for
     *               the newest checkpoint of the output folder (fresh when there is none), or a checkpoint folder
     */
    public static Training prepare(Recipe recipe, String resume) throws IOException {
        return new Training(TrainingRun.prepare(recipe, resume));
    }

    /** A fresh run of {@code recipe}, start to end. */
    public static TrainState run(Recipe recipe, TrainingListener... listeners) throws IOException {
        try (Training training = prepare(recipe, null)) {
            training.addListeners(listeners);
            return training.run();
        }
    }

    public Training addListeners(TrainingListener... listeners) {
        run.graph().addListeners(listeners);
        return this;
    }

    /** Trains to the recipe's last epoch or until {@link #requestStop()}; returns where the run stands. */
    public TrainState run() throws IOException {
        return trainer.train();
    }

    public void requestStop() {
        trainer.requestStop();
    }

    /** What the run was prepared from and works on: recipe, data, network, EMA, where it starts. */
    public TrainingRun prepared() {
        return run;
    }

    /** The network being trained (its weights change with every step). */
    public ComputationGraph network() {
        return run.graph();
    }

    /** The folder of the run's checkpoints ({@code best}, {@code best-ema} and one per saved epoch). */
    public Path checkpoints() {
        return run.store().folder();
    }

    /** Stops the data loaders' threads. */
    @Override
    public void close() {
        run.close();
    }
}
