package org.convnext4j.train.config;

import static org.convnext4j.train.config.RecipeKeys.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads a recipe: YAML → plain maps (snakeyaml-engine constructs only maps, lists and scalars) →
 * {@code --set key.path=value} overrides → the validated {@link Recipe}. Also writes a recipe back,
 * for the effective config saved beside every checkpoint.
 */
public final class RecipeLoader {

    private RecipeLoader() {
    }

    public static Recipe load(Path file, List<String> overrides) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file + ": no such recipe file");
        }
        return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8), overrides);
    }

    public static Recipe parse(String source, String yaml, List<String> overrides) {
        Map<String, Object> tree = parseTree(source, yaml);
        for (String override : overrides) {
            applyOverride(source, tree, override);
        }
        try {
            return bind(ConfigReader.root(source, tree));
        } catch (ConfigException e) {
            throw e.getMessage().startsWith(source + ": ") ? e : new ConfigException(source + ": " + e.getMessage());
        }
    }

    public static String toYaml(Recipe recipe) {
        Map<String, Object> root = new LinkedHashMap<>();
        for (RecipeKey<?> key : RecipeKeys.ALL) {
            @SuppressWarnings("unchecked")
            Map<String, Object> section = (Map<String, Object>) root.computeIfAbsent(key.section(), s -> new LinkedHashMap<>());
            section.put(key.name(), key.yaml(recipe));
        }
        return new Dump(DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).build()).dumpToString(root);
    }

    /** The recipe as {@code section.key -> value}, the values as {@link #toYaml} writes them. */
    static Map<String, Object> flatten(Recipe recipe) {
        return RecipeChanges.flatten(parseTree("recipe", toYaml(recipe)));
    }

    /** The optimizer of a recipe that leaves every {@code optimizer.*} key out. */
    public static Recipe.Optimizer defaultOptimizer() {
        return optimizer(ConfigReader.root("defaults", Map.of()).section("optimizer"));
    }

    /** The schedule of a recipe that leaves every {@code schedule.*} key out. */
    public static Recipe.Schedule defaultSchedule() {
        return schedule(ConfigReader.root("defaults", Map.of()).section("schedule"));
    }

    private static Recipe bind(ConfigReader root) {
        ConfigReader m = root.section("model");
        Recipe.Model model = new Recipe.Model(m.read(VARIANT), m.read(NUM_CLASSES), m.read(IMAGE_SIZE), m.read(DROP_PATH_RATE),
                m.read(LAYER_SCALE_INIT), m.read(HEAD_INIT_SCALE), m.read(PRETRAINED), m.read(FREEZE_STAGES));
        m.finish();
        ConfigReader d = root.section("data");
        Recipe.Data data = new Recipe.Data(d.read(ROOT), d.read(TRAIN_SPLIT), d.read(VAL_SPLIT), d.read(BATCH_SIZE),
                d.read(WORKERS), d.read(PER_CLASS_LIMIT), d.read(FRACTION));
        d.finish();
        ConfigReader a = root.section("augment");
        Recipe.Augment augment = new Recipe.Augment(a.read(SCALE), a.read(RATIO), a.read(HFLIP), a.read(RAND_AUGMENT),
                a.read(COLOR_JITTER), a.read(REPROB), a.read(MIXUP), a.read(CUTMIX), a.read(MIXUP_SWITCH_PROB),
                a.read(LABEL_SMOOTHING), a.read(EVAL_CROP_PCT));
        a.finish();
        Recipe.Optimizer optimizer = optimizer(root.section("optimizer"));
        Recipe.Schedule schedule = schedule(root.section("schedule"));
        ConfigReader t = root.section("training");
        Recipe.Training training = new Recipe.Training(t.read(UPDATE_FREQ), t.read(EMA), t.read(EMA_DECAY), t.read(SEED),
                t.read(SAVE_EVERY), t.read(KEEP_LAST), t.read(LOG_EVERY));
        t.finish();
        ConfigReader out = root.section("output");
        Recipe.Output output = new Recipe.Output(out.read(DIR, "runs/" + model.variant()));
        out.finish();
        root.finish();
        return new Recipe(model, data, augment, optimizer, schedule, training, output);
    }

    private static Recipe.Optimizer optimizer(ConfigReader o) {
        Recipe.Optimizer optimizer = new Recipe.Optimizer(o.read(LR), o.read(WEIGHT_DECAY), o.read(BETAS), o.read(EPS),
                o.read(LAYER_DECAY), o.read(LAYER_DECAY_TYPE), o.read(CLIP_GRAD));
        o.finish();
        return optimizer;
    }

    private static Recipe.Schedule schedule(ConfigReader s) {
        Recipe.Schedule schedule = new Recipe.Schedule(s.read(EPOCHS), s.read(WARMUP_EPOCHS), s.read(MIN_LR),
                s.read(WEIGHT_DECAY_END));
        s.finish();
        return schedule;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parseTree(String source, String yaml) {
        Object parsed;
        try {
            parsed = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).setLabel(source).build())
                    .loadFromString(yaml);
        } catch (YamlEngineException e) {
            throw new ConfigException(source + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (parsed == null) {
            return new LinkedHashMap<>();
        }
        if (!(parsed instanceof Map)) {
            throw new ConfigException(source + ": expected sections (model:, data:, ...) at the top, got " + parsed);
        }
        return (Map<String, Object>) parsed;
    }

    /** {@code a.b=value}: the value is read as a YAML scalar or flow list ({@code 0.1}, {@code true}, {@code [0.9, 0.95]}). */
    @SuppressWarnings("unchecked")
    private static void applyOverride(String source, Map<String, Object> tree, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("--set " + override + ": expected key.path=value");
        }
        String[] keys = override.substring(0, eq).strip().split("\\.");
        Object value = parseTree("--set " + override, "v: " + override.substring(eq + 1)).get("v");
        Map<String, Object> node = tree;
        for (int i = 0; i < keys.length - 1; i++) {
            Object child = node.get(keys[i]);
            if (child == null) {
                child = new LinkedHashMap<String, Object>();
                node.put(keys[i], child);
            } else if (!(child instanceof Map)) {
                throw new ConfigException("--set " + override + ": " + keys[i] + " is not a section in " + source);
            }
            node = (Map<String, Object>) child;
        }
        node.put(keys[keys.length - 1], value);
    }

}
