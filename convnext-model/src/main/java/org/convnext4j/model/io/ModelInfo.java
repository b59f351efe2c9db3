package org.convnext4j.model.io;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

import org.convnext4j.model.ConvNeXtConfig;

/**
 * What a saved model needs besides its weights to be used again: the architecture it was built
 * from, the input size it was built for, the names of its classes (index order), and the centre-crop
 * fraction its training evaluated with ({@code augment.eval_crop_pct}; empty for imported weights and
 * for files written before it was recorded).
 */
public record ModelInfo(String variant, ConvNeXtConfig config, int imageSize, List<String> classNames,
                        OptionalDouble evalCropPct) {

    /** A model with no recorded eval crop. */
    public ModelInfo(String variant, ConvNeXtConfig config, int imageSize, List<String> classNames) {
        this(variant, config, imageSize, classNames, OptionalDouble.empty());
    }

    public ModelInfo {
        classNames = List.copyOf(classNames);
        if (evalCropPct.isPresent() && !(evalCropPct.getAsDouble() > 0 && evalCropPct.getAsDouble() <= 1)) {
            throw new IllegalArgumentException("eval crop must be in (0, 1], got " + evalCropPct.getAsDouble());
        }
        if (classNames.size() != config.numClasses()) {
            throw new IllegalArgumentException(classNames.size() + " class names for a " + config.numClasses()
                    + "-class head");
        }
        if (imageSize < 32) {
            throw new IllegalArgumentException("image size must be at least 32, got " + imageSize);
        }
    }

    /** This model, evaluated with centre-crop fraction {@code cropPct}. */
    public ModelInfo withEvalCropPct(double cropPct) {
        return new ModelInfo(variant, config, imageSize, classNames, OptionalDouble.of(cropPct));
    }

    /** Class names "0", "1", … for a model whose classes have no names yet (e.g. imported ImageNet weights). */
    public static List<String> indexNames(int numClasses) {
        List<String> names = new ArrayList<>(numClasses);
        for (int i = 0; i < numClasses; i++) {
            names.add(Integer.toString(i));
        }
        return names;
    }
}
