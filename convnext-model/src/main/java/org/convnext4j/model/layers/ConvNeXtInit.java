package org.convnext4j.model.layers;

/** Initialisation constants of the reference implementation. */
final class ConvNeXtInit {

    /** trunc_normal_(std=.02) for every convolution and linear weight. */
    static final double WEIGHT_STD = 0.02;

    private ConvNeXtInit() {
    }
}
