package org.convnext4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.convnext4j.train.Training;
import org.convnext4j.train.config.Recipe;
import org.convnext4j.train.config.RecipeLoader;
import org.convnext4j.train.loop.TrainState;
import org.convnext4j.train.loop.TrainingRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train (or fine-tune, with model.pretrained) a ConvNeXt from a YAML recipe.")
final class TrainCommand extends ConvNeXtCommand {

    private static final Logger LOG = LoggerFactory.getLogger(TrainCommand.class);

    @Option(names = "--config", required = true, description = "a recipe, e.g. configs/quickstart.yaml")
    private Path config;

    @Option(names = "--set", description = "override a recipe key before validation, e.g. --set optimizer.lr=1e-3")
    private List<String> overrides = new ArrayList<>();

    @Option(names = "--output", description = "output folder (overrides output.dir)")
    private Path output;

    @Option(names = "--resume", description = "auto (newest checkpoint in the output folder, if any) or a checkpoint folder")
    private String resume;

    private Recipe recipe;

    /** The recipe is read first, so that the run's train.log holds the command's log from its first line. */
    @Override
    protected Path logFolder() throws IOException {
        recipe = RecipeLoader.load(config, overrides);
        if (output != null) {
            recipe = recipe.withOutputDir(output.toString());   // a path, not a YAML value
        }
        Path folder = Path.of(recipe.output().dir());
        TrainingRun.requireOwnFolder(folder, resume);   // before train.log is opened there
        Files.createDirectories(folder);
        return folder;
    }

    @Override
    protected void execute() throws IOException {
        try (Training training = Training.prepare(recipe, resume)) {
            TrainingSummary.lines(training.prepared()).forEach(LOG::info);
            TrainState state = untilSignalled(training);
            System.out.printf("done: epoch %d, best val top-1 %.2f%% (epoch %d)%s; checkpoints in %s%n", state.epoch(),
                    100 * state.bestTop1(), state.bestEpoch() + 1,
                    state.bestEmaEpoch() < 0 ? "" : String.format(", best EMA top-1 %.2f%%", 100 * state.bestEmaTop1()),
                    training.checkpoints());
        }
    }

    /**
     * Runs the training with SIGINT/SIGTERM turned into a stop request: the JVM's shutdown waits (in the hook)
     * until the run has saved its last optimizer step and returned.
     */
    private static TrainState untilSignalled(Training training) throws IOException {
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            training.requestStop();
            try {
                finished.await(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "convnext-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return training.run();
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for the latch released above
            }
        }
    }
}
