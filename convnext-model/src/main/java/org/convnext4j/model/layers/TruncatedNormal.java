package org.convnext4j.model.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** PyTorch's {@code trunc_normal_(std=std)}: normal(0, std) with draws outside [-2, 2] (absolute) drawn again. */
final class TruncatedNormal {

    private static final double LIMIT = 2.0;

    private TruncatedNormal() {
    }

    /**
     * The draws' off-heap array is freed here rather than left to the garbage collector: a model's
     * worth of them (0.11 GiB for ConvNeXt-T) otherwise outlived initialisation and set the
     * process's peak memory for inference.
     */
    static void fill(INDArray target, double std) {
        try (INDArray values = Nd4j.randn(target.dataType(), target.shape())) {
            values.muli(std);
            // With std 0.02 a redraw is a 100-sigma event; the loop keeps the distribution exact regardless.
            while (values.amaxNumber().doubleValue() > LIMIT) {
                INDArray outside = Transforms.abs(values, true).gt(LIMIT).castTo(values.dataType());
                INDArray fresh = Nd4j.randn(target.dataType(), target.shape()).muli(std);
                values.muli(outside.rsub(1.0)).addi(fresh.muli(outside));
            }
            target.assign(values);
        }
    }
}
