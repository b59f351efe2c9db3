package org.convnext4j.train.loop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.convnext4j.train.config.RecipeLoader;

/**
 * The losses of the first training steps of {@code configs/quickstart.yaml} (ConvNeXt-atto on the
 * bundled Fashion-MNIST slice), one per optimizer step: a trace to hold every kernel implementation
 * and backend to, against one recorded with the Java kernels on the CPU
 * ({@code src/test/resources/quickstart-trace/}). Run from the {@code convnext-train} folder.
 *
 * <p>{@link #main} prints a trace, one loss per line; the fixture's README says how to record it.
 */
public final class QuickstartTrace {

    public static final int STEPS = 30;
    static final Path RECIPE = Path.of("../configs/quickstart.yaml");
    static final String DATA = "../data/fashion-mnist-small";

    private QuickstartTrace() {
    }

    /** The first {@code steps} losses of a fresh quickstart run writing into {@code output}. */
    static List<Double> record(Path output, int steps) throws IOException {
        TrainingRun run = TrainingRun.prepare(RecipeLoader.load(RECIPE, List.of("data.root=" + DATA, "output.dir=" + output)), null);
        List<Double> losses = new ArrayList<>();
        try {
            Trainer trainer = new Trainer(run);
            trainer.afterBatch(done -> {
                losses.add(done.loss());
                if (losses.size() == steps) {
                    trainer.requestStop();
                }
            });
            trainer.train();
        } finally {
            run.close();
        }
        return losses;
    }

    public static void main(String[] args) throws IOException {
        Path output = Files.createTempDirectory("quickstart-trace");
        for (double loss : record(output, STEPS)) {
            System.out.println(String.format(Locale.ROOT, "%.9g", loss));
        }
    }
}
