package org.convnext4j.model;

import java.util.List;

import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * How one ConvNeXt layer is trained: its updater (learning rate and schedule; a zero rate freezes it)
 * and the regularization of its weight parameters (biases, norms and gammas are bias parameters and
 * never regularized).
 */
public record LayerTraining(IUpdater updater, List<Regularization> weightRegularization) {

    public LayerTraining {
        weightRegularization = List.copyOf(weightRegularization);
    }
}
