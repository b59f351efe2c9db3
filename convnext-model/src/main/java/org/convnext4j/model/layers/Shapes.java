package org.convnext4j.model.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;

/** Checks of the input types the ConvNeXt layers are wired with. */
final class Shapes {

    private Shapes() {
    }

    static InputType.InputTypeConvolutional convolutional(InputType type, CNN2DFormat format, long channels, String layer) {
        if (!(type instanceof InputType.InputTypeConvolutional conv)) {
            throw new IllegalArgumentException(layer + ": expected a convolutional input, got " + type);
        }
        if (conv.getFormat() != format || conv.getChannels() != channels) {
            throw new IllegalArgumentException(layer + ": expected " + format + " input with " + channels
                    + " channels, got " + conv.getFormat() + " with " + conv.getChannels());
        }
        return conv;
    }
}
