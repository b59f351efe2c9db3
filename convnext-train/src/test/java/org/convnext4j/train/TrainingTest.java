package org.convnext4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.convnext4j.testsupport.ImageFolders;
import org.convnext4j.train.config.Recipe;
import org.convnext4j.train.config.RecipeLoader;
import org.convnext4j.train.loop.TrainState;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.listeners.PerformanceListener;
import org.deeplearning4j.optimize.listeners.ScoreIterationListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Training from Java: the README's snippet, and DL4J's listeners hearing our loop as they would hear {@code fit}. */
class TrainingTest {

    @TempDir
    static Path dir;
    private static Path data;

    @BeforeAll
    static void data() throws IOException {
        data = ImageFolders.learnable(dir.resolve("data"), List.of("red", "green", "blue"), 6, 2);
    }

    /** 18 images in batches of 4: 4 micro-batches per epoch, 2 optimizer steps (update_freq 2), 2 epochs. */
    @Test
    void listenersHearEveryStepAndEpoch() throws IOException {
        Recording recording = new Recording();
        TrainState end = Training.run(recipe("listened"), recording, new ScoreIterationListener(1), new PerformanceListener(1, true));
        assertEquals(2, end.epoch());
        assertEquals(List.of("epochStart 0", "forward", "backward", "forward", "backward", "gradient", "iteration 0 epoch 0",
                "forward", "backward", "forward", "backward", "gradient", "iteration 1 epoch 0", "epochEnd",
                "epochStart 1", "forward", "backward", "forward", "backward", "gradient", "iteration 2 epoch 1",
                "forward", "backward", "forward", "backward", "gradient", "iteration 3 epoch 1", "epochEnd"), recording.calls);
        assertTrue(recording.scores.stream().allMatch(s -> Double.isFinite(s) && s > 0), recording.scores.toString());
    }

    /** The README's "Training from Java" snippet, as written there (checked line by line below). */
    @Test
    void theReadmeSnippetTrains() throws IOException {
        Path recipeFile = Files.writeString(dir.resolve("recipe.yaml"), yaml("readme").replace("epochs: 2", "epochs: 3"));
        // README snippet begins
        Recipe recipe = RecipeLoader.load(recipeFile, List.of("schedule.epochs=2"));
        try (Training training = Training.prepare(recipe, null)) {
            training.addListeners(new ScoreIterationListener(10));
            TrainState end = training.run();
            System.out.printf("best top-1 %.2f%% in %s%n", 100 * end.bestTop1(), training.checkpoints());
        }
        // README snippet ends
        assertTrue(Files.isDirectory(dir.resolve("readme/checkpoints/best")));
    }

    @Test
    void theReadmeShowsTheSnippetThatIsTested() throws IOException {
        String test = Files.readString(Path.of("src/test/java/org/convnext4j/train/TrainingTest.java"));
        String snippet = test.substring(test.indexOf("// README snippet begins") + 24, test.indexOf("// README snippet ends"));
        String readme = Files.readString(Path.of("../README.md"));
        for (String line : snippet.strip().split("\n")) {
            assertTrue(readme.contains(line.strip()), "README.md lacks the tested line: " + line.strip());
        }
    }

    private static Recipe recipe(String output) {
        return RecipeLoader.parse("test", yaml(output), List.of());
    }

    private static String yaml(String output) {
        return """
                model: {variant: convnext_test, image_size: 32}
                data: {root: %s, batch_size: 4, workers: 2}
                augment: {mixup: 0.0, cutmix: 0.0}
                schedule: {epochs: 2, warmup_epochs: 1}
                training: {update_freq: 2, ema: false, seed: 3}
                output: {dir: %s}
                """.formatted(data, dir.resolve(output));
    }

    /** Every call, in order. */
    private static final class Recording extends BaseTrainingListener {
        final List<String> calls = new ArrayList<>();
        final List<Double> scores = new ArrayList<>();

        @Override
        public void onEpochStart(Model model) {
            calls.add("epochStart " + ((org.deeplearning4j.nn.graph.ComputationGraph) model).getConfiguration().getEpochCount());
        }

        @Override
        public void onEpochEnd(Model model) {
            calls.add("epochEnd");
        }

        @Override
        public void onForwardPass(Model model, Map<String, INDArray> activations) {
            calls.add("forward");
        }

        @Override
        public void onBackwardPass(Model model) {
            calls.add("backward");
        }

        @Override
        public void onGradientCalculation(Model model) {
            calls.add("gradient");
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            calls.add("iteration " + iteration + " epoch " + epoch);
            scores.add(model.score());
        }
    }
}
