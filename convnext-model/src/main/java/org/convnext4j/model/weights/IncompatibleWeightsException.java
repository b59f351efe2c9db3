package org.convnext4j.model.weights;

/**
 * Weights that do not fit the network they are loaded into: unknown naming, a missing, unexpected or
 * mis-shaped tensor. The message is one line naming the tensor, so it can be shown to a user unchanged.
 */
public class IncompatibleWeightsException extends IllegalArgumentException {

    public IncompatibleWeightsException(String problem) {
        super(problem);
    }
}
