package org.convnext4j.model.io;

import java.util.ArrayList;
import java.util.List;

import org.convnext4j.model.ConvNeXtConfig;

/**
 * What a saved model needs besides its weights to be used again: the architecture it was built
 * from, the input size it was built for and the names of its classes (index order).
 */
public record ModelInfo(String variant, ConvNeXtConfig config, int imageSize, List<String> classNames) {

    public ModelInfo {
        classNames = List.copyOf(classNames);
        if (classNames.size() != config.numClasses()) {
            throw new IllegalArgumentException(classNames.size() + " class names for a " + config.numClasses()
                    + "-class head");
        }
        if (imageSize < 32) {
            throw new IllegalArgumentException("image size must be at least 32, got " + imageSize);
        }
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
