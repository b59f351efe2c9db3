package org.convnext4j.data;

import java.awt.image.BufferedImage;
import java.util.random.RandomGenerator;

/**
 * Turns one decoded RGB image into the network's input: CHW floats of 3 × size × size. Any
 * randomness comes from {@code rng} alone, so a sample's result depends only on the generator the
 * pipeline derives for it, not on which thread runs it.
 */
public interface SampleTransform {

    int imageSize();

    float[] apply(BufferedImage rgb, RandomGenerator rng);
}
