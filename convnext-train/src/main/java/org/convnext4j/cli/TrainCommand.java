package org.convnext4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.convnext4j.train.config.Recipe;
import org.convnext4j.train.config.RecipeLoader;
import org.convnext4j.train.loop.TrainState;
import org.convnext4j.train.loop.Trainer;
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
        TrainingRun run = TrainingRun.prepare(recipe, resume);
        try {
            TrainingSummary.lines(run).forEach(LOG::info);
            TrainState state = new Trainer(run).train();
            System.out.printf("done: epoch %d, best val top-1 %.2f%% (epoch %d)%s; checkpoints in %s%n", state.epoch(),
                    100 * state.bestTop1(), state.bestEpoch() + 1,
                    state.bestEmaEpoch() < 0 ? "" : String.format(", best EMA top-1 %.2f%%", 100 * state.bestEmaTop1()),
                    run.store().folder());
        } finally {
            run.train().close();
            run.val().close();
        }
    }
}
