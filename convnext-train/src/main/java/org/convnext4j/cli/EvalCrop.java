package org.convnext4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

import org.convnext4j.data.EvalTransform;
import org.convnext4j.model.io.ModelInfo;
import org.convnext4j.train.config.RecipeLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The centre-crop fraction {@code eval} and {@code predict} use, and where it came from: {@code --crop-pct}
 * when given, else the model's own, so that a model is evaluated as its training evaluated it.
 */
record EvalCrop(double cropPct, String source) {

    private static final Logger LOG = LoggerFactory.getLogger(EvalCrop.class);

    /**
     * {@code --crop-pct} if given; for a checkpoint folder its recipe's {@code augment.eval_crop_pct}; for a
     * model file the crop it records; else {@link EvalTransform#DEFAULT_CROP_PCT}.
     */
    static EvalCrop choose(Double option, Path model, ModelInfo info) throws IOException {
        return choose(option, model, info.evalCropPct());
    }

    /** As {@link #choose(Double, Path, ModelInfo)}, with the crop the model records (a model file's, an ONNX export's). */
    static EvalCrop choose(Double option, Path model, OptionalDouble recorded) throws IOException {
        if (option != null) {
            if (!(option > 0 && option <= 1)) {
                throw new IllegalArgumentException("--crop-pct must be in (0, 1], got " + option);
            }
            return new EvalCrop(option, "from --crop-pct");
        }
        Path recipe = model.resolve("recipe.yaml");
        if (Files.isDirectory(model) && Files.isRegularFile(recipe)) {
            double crop = RecipeLoader.load(recipe, List.of()).augment().evalCropPct();
            return new EvalCrop(crop, "from " + recipe + " (augment.eval_crop_pct)");
        }
        if (recorded.isPresent()) {
            return new EvalCrop(recorded.getAsDouble(), "from the model file");
        }
        return new EvalCrop(EvalTransform.DEFAULT_CROP_PCT, "timm's default: the model records none");
    }

    /** As {@link #choose}, saying in the log which crop and from where. */
    static double logged(Double option, Path model, ModelInfo info) throws IOException {
        return logged(option, model, info.evalCropPct());
    }

    /** As {@link #choose(Double, Path, OptionalDouble)}, saying in the log which crop and from where. */
    static double logged(Double option, Path model, OptionalDouble recorded) throws IOException {
        EvalCrop crop = choose(option, model, recorded);
        LOG.info(crop.line());
        return crop.cropPct();
    }

    String line() {
        return String.format(Locale.ROOT, "eval crop %s, %s", cropPct, source);
    }
}
