package org.convnext4j.train.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class RecipeKeysTest {

    private static final Path README = Path.of("../README.md");
    private static final String BEGIN = "<!-- recipe keys: begin -->\n";
    private static final String END = "<!-- recipe keys: end -->";

    /** A key added to a record but not to {@link RecipeKeys} (or in another order) would be neither written nor documented. */
    @Test
    void keysAreTheRecordsComponentsInOrder() {
        List<String> fromRecords = new ArrayList<>();
        for (RecordComponent section : Recipe.class.getRecordComponents()) {
            for (RecordComponent key : section.getType().getRecordComponents()) {
                fromRecords.add(section.getName() + "." + snakeCase(key.getName()));
            }
        }
        assertEquals(fromRecords, RecipeKeys.ALL.stream().map(RecipeKey::path).toList());
    }

    @Test
    void aRecipeLeavingKeysOutGetsEachKeysDefault() {
        Recipe recipe = RecipeLoader.parse("t.yaml", "model: {variant: v}\ndata: {root: d}\n", List.of());
        for (RecipeKey<?> key : RecipeKeys.ALL) {
            if (key.defaultValue() != null) {
                assertEquals(key.defaultValue(), key.value().apply(recipe), key.path());
            }
        }
        assertEquals("runs/v", recipe.output().dir());
        assertEquals(recipe.optimizer(), RecipeLoader.defaultOptimizer());
        assertEquals(recipe.schedule(), RecipeLoader.defaultSchedule());
    }

    @Test
    void eachKeyRefusesWhatItDoesNotAccept() {
        ConfigException e = assertThrows(ConfigException.class, () -> RecipeKeys.MIXUP_SWITCH_PROB.check(1.5));
        assertEquals("augment.mixup_switch_prob is 1.5, expected a probability", e.getMessage());
        assertThrows(ConfigException.class, () -> RecipeKeys.VARIANT.check(null), "a required key");
        assertEquals(null, RecipeKeys.CLIP_GRAD.check(null), "an optional key's none");
        assertThrows(IllegalArgumentException.class, () -> new RecipeKey<>("a", "b", RecipeKey.NUMBER, -1.0, false,
                v -> v >= 0, ">= 0", "doc", RecipeKey.OnResume.APPLIED, r -> 0.0), "a default the key itself refuses");
    }

    @Test
    void resumeRulesComeFromTheKeys() {
        assertTrue(RecipeChanges.FIXED.contains("model.variant") && RecipeChanges.FIXED.contains("training.seed"));
        assertTrue(!RecipeChanges.FIXED.contains("optimizer.lr") && !RecipeChanges.FIXED.contains("model.pretrained"));
    }

    /** The README's recipe reference is the generated table; {@code -Drecipe.readme=write} rewrites it. */
    @Test
    void readmeTableIsGenerated() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        assertTrue(begin >= 0 && end > begin, "README.md has the markers " + BEGIN.strip() + " … " + END);
        String generated = RecipeKeys.markdownTable();
        if ("write".equals(System.getProperty("recipe.readme"))) {
            Files.writeString(README, readme.substring(0, begin + BEGIN.length()) + generated + readme.substring(end),
                    StandardCharsets.UTF_8);
            return;
        }
        assertEquals(generated, readme.substring(begin + BEGIN.length(), end),
                "README.md's recipe table is out of date; rerun this test with -Drecipe.readme=write");
    }

    private static String snakeCase(String camel) {
        return camel.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
    }
}
