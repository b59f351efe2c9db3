package org.convnext4j.train.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

class RecipeLoaderTest {

    private static final Path CONFIGS = Path.of("../configs");

    @Test
    void everyShippedRecipeBindsAndRoundTrips() throws IOException {
        List<Path> recipes;
        try (Stream<Path> files = Files.list(CONFIGS)) {
            recipes = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(recipes.size() >= 2, "recipes in configs/: " + recipes);
        for (Path file : recipes) {
            Recipe recipe = RecipeLoader.load(file, List.of());
            Recipe again = RecipeLoader.parse("effective", RecipeLoader.toYaml(recipe), List.of());
            assertEquals(recipe, again, file.toString());
        }
    }

    @Test
    void paperRecipeHasThePaperValues() throws IOException {
        Recipe r = RecipeLoader.load(CONFIGS.resolve("convnext_tiny_in1k.yaml"), List.of());
        assertEquals(4096, r.data().batchSize() * r.training().updateFreq());
        assertEquals(4e-3, r.optimizer().lr());
        assertEquals(0.05, r.optimizer().weightDecay());
        assertEquals(300, r.schedule().epochs());
        assertEquals(20, r.schedule().warmupEpochs());
        assertEquals(1e-6, r.schedule().minLr());
        assertEquals(0.1, r.model().dropPathRate());
        assertEquals(0.9999, r.training().emaDecay());
        assertTrue(r.training().ema());
        assertEquals("rand-m9-mstd0.5-inc1", r.augment().randAugment());
        assertEquals(List.of(0.8, 1.0, 0.25, 0.1), List.of(r.augment().mixup(), r.augment().cutmix(), r.augment().reprob(),
                r.augment().labelSmoothing()));
    }

    /** The official ConvNeXt V2 fine-tuning recipes (TRAINING.md), effective batch 1024, lr = blr · 1024 / 256. */
    @Test
    void v2RecipesHaveTheOfficialValues() throws IOException {
        Recipe atto = RecipeLoader.load(CONFIGS.resolve("convnextv2_atto_finetune.yaml"), List.of());
        assertEquals("convnextv2_atto", atto.model().variant());
        assertEquals(1024, atto.data().batchSize() * atto.training().updateFreq());
        assertEquals(List.of(8e-4, 0.3, 0.9, 0.1, 0.2), List.of(atto.optimizer().lr(), atto.optimizer().weightDecay(),
                atto.optimizer().layerDecay(), atto.model().dropPathRate(), atto.augment().labelSmoothing()));
        assertEquals(List.of(600.0, 0.0, 0.0, 0.0), List.of((double) atto.schedule().epochs(), atto.schedule().warmupEpochs(),
                atto.augment().mixup(), atto.augment().cutmix()));
        assertEquals(org.convnext4j.model.optim.LayerDecay.Scheme.SINGLE, atto.optimizer().layerDecayType());
        assertNull(atto.model().layerScaleInit(), "V2 has no layer scale");
        Recipe tiny = RecipeLoader.load(CONFIGS.resolve("convnextv2_tiny_finetune.yaml"), List.of());
        assertEquals(1024, tiny.data().batchSize() * tiny.training().updateFreq());
        assertEquals(List.of(3.2e-3, 0.05, 0.9, 0.2, 0.1, 0.8, 1.0, 0.25), List.of(tiny.optimizer().lr(), tiny.optimizer().weightDecay(),
                tiny.optimizer().layerDecay(), tiny.model().dropPathRate(), tiny.augment().labelSmoothing(), tiny.augment().mixup(),
                tiny.augment().cutmix(), tiny.augment().reprob()));
        assertEquals(List.of(300.0, 40.0), List.of((double) tiny.schedule().epochs(), tiny.schedule().warmupEpochs()));
        assertTrue(tiny.training().ema() && atto.training().ema());
        ConfigException e = assertThrows(ConfigException.class,
                () -> RecipeLoader.parse("t.yaml", "model: {variant: v}\ndata: {root: d}\n", List.of("optimizer.layer_decay_type=blocks")));
        assertTrue(e.getMessage().contains("optimizer.layer_decay_type is blocks, expected group or single"), e.getMessage());
    }

    @Test
    void overridesApplyBeforeValidation() {
        Recipe r = RecipeLoader.parse("t.yaml", "model: {variant: convnext_atto}\ndata: {root: d}\n",
                List.of("optimizer.lr=1e-3", "optimizer.betas=[0.9, 0.95]", "training.ema=true", "model.num_classes=5"));
        assertEquals(1e-3, r.optimizer().lr());
        assertEquals(List.of(0.9, 0.95), r.optimizer().betas());
        assertTrue(r.training().ema());
        assertEquals(5, r.model().numClasses());
        assertNull(RecipeLoader.parse("t.yaml", "model: {variant: v}\ndata: {root: d}\n", List.of()).model().numClasses());
    }

    @Test
    void mistakesAreOneLineErrorsNamingTheKey() {
        assertError("model: {variant: v}\ndata: {root: d}\noptimizer: {lrr: 0.1}\n", List.of(), "t.yaml: unknown key 'optimizer.lrr'");
        assertError("model: {variant: v}\ndata: {root: d}\nbogus: 1\n", List.of(), "t.yaml: unknown key 'bogus'");
        assertError("model: {variant: v}\ndata: {root: d}\noptimizer: {lr: fast}\n", List.of(), "t.yaml: optimizer.lr is fast, expected a number");
        assertError("model: {variant: v}\ndata: {root: d}\n", List.of("optimizer.lr=-1"), "t.yaml: optimizer.lr is -1.0, expected > 0");
        assertError("model: {variant: v}\ndata: {root: d}\ntraining: {update_freq: 1.5}\n", List.of(),
                "t.yaml: training.update_freq is 1.5, expected a whole number");
        assertError("model: {variant: v}\n", List.of(), "t.yaml: data.root is null, expected a folder");
        assertError("model: {variant: v}\ndata: {root: d, batch_size: 0}\n", List.of(), "t.yaml: data.batch_size is 0, expected >= 1");
        assertError("model: {variant: v}\ndata: {root: d}\n", List.of("optimizer.lr"), "expected key.path=value");
        assertError("model: [1, 2]\n", List.of(), "t.yaml: model is [1, 2], expected a section");
        assertError("model: {variant: v}\nmodel: {variant: w}\n", List.of(), "not valid YAML");
    }

    @Test
    void yamlTagsCannotConstructJavaObjects() {
        String hostile = "model: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://x\"]]]]\n";
        assertError(hostile, List.of(), "t.yaml: not valid YAML");
    }

    /** What cannot be meant: an explicit null where a key has a default, an infinity, a floor above the rate. */
    @Test
    void nullsInfinitiesAndAMinimumAboveTheRateAreRefused() {
        String base = "model: {variant: v}\ndata: {root: d}\n";
        assertError(base + "optimizer: {lr: null}\n", List.of(),
                "t.yaml: optimizer.lr is null, expected a number (leave the key out for its default, 0.004)");
        assertError(base + "training: {ema: null}\n", List.of(), "t.yaml: training.ema is null, expected true or false");
        assertError(base + "optimizer: {eps: .inf}\n", List.of(), "t.yaml: optimizer.eps is Infinity, expected a finite number");
        assertError(base, List.of("optimizer.betas=[0.9, .nan]"), "t.yaml: optimizer.betas is [0.9, NaN], expected a list of 2 finite numbers");
        assertError(base, List.of("schedule.min_lr=1e-2"), "t.yaml: schedule.min_lr is 0.01, expected at most optimizer.lr (0.004)");
        // keys whose default is "none" take an explicit null, as the saved recipes write them
        Recipe none = RecipeLoader.parse("t.yaml", "model: {variant: v, pretrained: null, num_classes: null}\ndata: {root: d}\n",
                List.of("optimizer.clip_grad=null"));
        assertNull(none.model().pretrained());
        assertNull(none.optimizer().clipGrad());
        // --output is a path, whatever YAML would make of the word
        assertEquals("null", none.withOutputDir("null").output().dir());
    }

    private static void assertError(String yaml, List<String> overrides, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> RecipeLoader.parse("t.yaml", yaml, overrides));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
}
