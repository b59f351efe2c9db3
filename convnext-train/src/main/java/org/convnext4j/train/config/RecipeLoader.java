package org.convnext4j.train.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.convnext4j.data.EvalTransform;
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

    public static String toYaml(Recipe r) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("model", section(
                "variant", r.model().variant(), "num_classes", r.model().numClasses(), "image_size", r.model().imageSize(),
                "drop_path_rate", r.model().dropPathRate(), "layer_scale_init", r.model().layerScaleInit(),
                "head_init_scale", r.model().headInitScale(), "pretrained", r.model().pretrained(),
                "freeze_stages", r.model().freezeStages()));
        root.put("data", section(
                "root", r.data().root(), "train_split", r.data().trainSplit(), "val_split", r.data().valSplit(),
                "batch_size", r.data().batchSize(), "workers", r.data().workers(),
                "per_class_limit", r.data().perClassLimit(), "fraction", r.data().fraction()));
        root.put("augment", section(
                "scale", r.augment().scale(), "ratio", r.augment().ratio(), "hflip", r.augment().hflip(),
                "rand_augment", r.augment().randAugment(), "color_jitter", r.augment().colorJitter(),
                "reprob", r.augment().reprob(), "mixup", r.augment().mixup(), "cutmix", r.augment().cutmix(),
                "mixup_switch_prob", r.augment().mixupSwitchProb(), "label_smoothing", r.augment().labelSmoothing(),
                "eval_crop_pct", r.augment().evalCropPct()));
        root.put("optimizer", section(
                "lr", r.optimizer().lr(), "weight_decay", r.optimizer().weightDecay(), "betas", r.optimizer().betas(),
                "eps", r.optimizer().eps(), "layer_decay", r.optimizer().layerDecay(),
                "layer_decay_type", r.optimizer().layerDecayType().yamlName(), "clip_grad", r.optimizer().clipGrad()));
        root.put("schedule", section(
                "epochs", r.schedule().epochs(), "warmup_epochs", r.schedule().warmupEpochs(), "min_lr", r.schedule().minLr(),
                "weight_decay_end", r.schedule().weightDecayEnd()));
        root.put("training", section(
                "update_freq", r.training().updateFreq(), "ema", r.training().ema(), "ema_decay", r.training().emaDecay(),
                "seed", r.training().seed(), "save_every", r.training().saveEvery(), "keep_last", r.training().keepLast(),
                "log_every", r.training().logEvery()));
        root.put("output", section("dir", r.output().dir()));
        return new Dump(DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).build()).dumpToString(root);
    }

    /** The recipe as {@code section.key -> value}, the values as {@link #toYaml} writes them. */
    static Map<String, Object> flatten(Recipe recipe) {
        return RecipeChanges.flatten(parseTree("recipe", toYaml(recipe)));
    }

    private static Recipe bind(ConfigReader root) {
        ConfigReader m = root.section("model");
        Recipe.Model model = new Recipe.Model(m.string("variant", null), m.optionalInteger("num_classes"),
                m.integer("image_size", 224), m.number("drop_path_rate", 0.1), m.optionalNumber("layer_scale_init"),
                m.number("head_init_scale", 1.0), m.string("pretrained", null), m.integer("freeze_stages", 0));
        m.finish();
        ConfigReader d = root.section("data");
        Recipe.Data data = new Recipe.Data(d.string("root", null), d.string("train_split", "train"),
                d.string("val_split", "val"), d.integer("batch_size", 64), d.integer("workers", 2),
                d.optionalInteger("per_class_limit"), d.number("fraction", 1.0));
        d.finish();
        ConfigReader a = root.section("augment");
        Recipe.Augment augment = new Recipe.Augment(a.numbers("scale", List.of(0.08, 1.0), 2),
                a.numbers("ratio", List.of(3.0 / 4, 4.0 / 3), 2), a.number("hflip", 0.5),
                a.string("rand_augment", "rand-m9-mstd0.5-inc1"), a.number("color_jitter", 0.4), a.number("reprob", 0.25),
                a.number("mixup", 0.8), a.number("cutmix", 1.0), a.number("mixup_switch_prob", 0.5),
                a.number("label_smoothing", 0.1), a.number("eval_crop_pct", EvalTransform.DEFAULT_CROP_PCT));
        a.finish();
        ConfigReader o = root.section("optimizer");
        Recipe.Optimizer optimizer = new Recipe.Optimizer(o.number("lr", 4e-3), o.number("weight_decay", 0.05),
                o.numbers("betas", List.of(0.9, 0.999), 2), o.number("eps", 1e-8), o.number("layer_decay", 1.0),
                o.layerDecayScheme("layer_decay_type"), o.optionalNumber("clip_grad"));
        o.finish();
        ConfigReader s = root.section("schedule");
        Recipe.Schedule schedule = new Recipe.Schedule(s.integer("epochs", 300), s.number("warmup_epochs", 20),
                s.number("min_lr", 1e-6), s.optionalNumber("weight_decay_end"));
        s.finish();
        ConfigReader t = root.section("training");
        Recipe.Training training = new Recipe.Training(t.integer("update_freq", 1), t.bool("ema", false),
                t.number("ema_decay", 0.9999), t.integer("seed", 0), t.integer("save_every", 1), t.integer("keep_last", 3),
                t.integer("log_every", 50));
        t.finish();
        ConfigReader out = root.section("output");
        Recipe.Output output = new Recipe.Output(out.string("dir", "runs/" + model.variant()));
        out.finish();
        root.finish();
        return new Recipe(model, data, augment, optimizer, schedule, training, output);
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

    private static Map<String, Object> section(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }
}
