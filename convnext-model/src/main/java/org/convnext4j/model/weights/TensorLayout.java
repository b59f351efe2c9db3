package org.convnext4j.model.weights;

import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How a PyTorch tensor's layout relates to the layout of our parameter holding the same values.
 * Our convolutions are channels-last with YXIO kernels and our linear layers compute {@code x · W},
 * so kernels are permuted and linear weights transposed; vectors are shared as they are.
 */
public enum TensorLayout {

    /** Convolution kernel: PyTorch (out, in, kH, kW), ours (kH, kW, in, out). */
    CONV {
        @Override
        INDArray rearrangeToOurs(INDArray foreign) {
            return foreign.permute(2, 3, 1, 0);
        }

        @Override
        INDArray rearrangeToForeign(INDArray ours) {
            return ours.permute(3, 2, 0, 1);
        }

        @Override
        long[] foreignShape(long[] ours) {
            return new long[] {ours[3], ours[2], ours[0], ours[1]};
        }
    },

    /** Depthwise kernel: PyTorch (d, 1, kH, kW), ours (kH, kW, d, 1); the permutation is its own inverse. */
    DEPTHWISE {
        @Override
        INDArray rearrangeToOurs(INDArray foreign) {
            return foreign.permute(2, 3, 0, 1);
        }

        @Override
        INDArray rearrangeToForeign(INDArray ours) {
            return ours.permute(2, 3, 0, 1);
        }

        @Override
        long[] foreignShape(long[] ours) {
            return new long[] {ours[2], ours[3], ours[0], ours[1]};
        }
    },

    /** Linear weight: PyTorch (out, in), ours (in, out). */
    LINEAR {
        @Override
        INDArray rearrangeToOurs(INDArray foreign) {
            return foreign.transpose();
        }

        @Override
        INDArray rearrangeToForeign(INDArray ours) {
            return ours.transpose();
        }

        @Override
        long[] foreignShape(long[] ours) {
            return new long[] {ours[1], ours[0]};
        }
    },

    /**
     * Linear weight kept as a 1×1 convolution, as timm's small ConvNeXts (conv_mlp) keep fc1 and fc2:
     * PyTorch (out, in, 1, 1), ours (in, out).
     */
    POINTWISE_CONV {
        @Override
        INDArray rearrangeToOurs(INDArray foreign) {
            return foreign.reshape(foreign.size(0), foreign.size(1)).transpose();
        }

        @Override
        INDArray rearrangeToForeign(INDArray ours) {
            return ours.transpose().reshape(ours.size(1), ours.size(0), 1, 1);
        }

        @Override
        long[] foreignShape(long[] ours) {
            return new long[] {ours[1], ours[0], 1, 1};
        }
    },

    /** Biases, norm affine parameters and (d,)-shaped layer scale: the same on both sides. */
    VECTOR {
        @Override
        INDArray rearrangeToOurs(INDArray foreign) {
            return foreign;
        }

        @Override
        INDArray rearrangeToForeign(INDArray ours) {
            return ours;
        }

        @Override
        long[] foreignShape(long[] ours) {
            return ours.clone();
        }
    },

    /** The official ConvNeXt V2's GRN parameters, (1, 1, 1, d) so they broadcast over an NHWC map; ours are (d). */
    CHANNELS_LAST_SCALE {
        @Override
        INDArray rearrangeToOurs(INDArray foreign) {
            return foreign.reshape(foreign.length());
        }

        @Override
        INDArray rearrangeToForeign(INDArray ours) {
            return ours.reshape(1, 1, 1, ours.length());
        }

        @Override
        long[] foreignShape(long[] ours) {
            return new long[] {1, 1, 1, ours[0]};
        }
    },

    /** torchvision's layer scale, (d, 1, 1) so it broadcasts over an NCHW map; ours is (d). */
    CHANNEL_SCALE {
        @Override
        INDArray rearrangeToOurs(INDArray foreign) {
            return foreign.reshape(foreign.length());
        }

        @Override
        INDArray rearrangeToForeign(INDArray ours) {
            return ours.reshape(ours.length(), 1, 1);
        }

        @Override
        long[] foreignShape(long[] ours) {
            return new long[] {ours[0], 1, 1};
        }
    };

    /** A view or reshape of a tensor already known to have {@link #foreignShape} of the target. */
    abstract INDArray rearrangeToOurs(INDArray foreign);

    abstract INDArray rearrangeToForeign(INDArray ours);

    /** The PyTorch shape of the tensor that fills a parameter of shape {@code ours}. */
    abstract long[] foreignShape(long[] ours);

    /** A fresh C-order array of {@code dataType} in our layout; the caller checked the shape. */
    /**
     * The layout a foreign tensor of {@code foreignShape} is in, for a parameter of shape {@code ours}
     * laid out as this: a linear weight may come as (out, in) or as a 1×1 convolution's (out, in, 1, 1),
     * the same values either way; any other layout is itself.
     */
    public TensorLayout matching(long[] foreignShape, long[] ours) {
        if (this == LINEAR || this == POINTWISE_CONV) {
            for (TensorLayout layout : new TensorLayout[] {LINEAR, POINTWISE_CONV}) {
                if (Arrays.equals(layout.foreignShape(ours), foreignShape)) {
                    return layout;
                }
            }
        }
        return this;
    }

    public INDArray toOurs(INDArray foreign, DataType dataType) {
        // A fresh copy, so the network never shares memory with the caller's map.
        return rearrangeToOurs(foreign).castTo(dataType).dup('c');
    }

    /** A fresh C-order FLOAT array in PyTorch's layout, as PyTorch checkpoints store it. */
    public INDArray toForeign(INDArray ours) {
        return rearrangeToForeign(ours).castTo(DataType.FLOAT).dup('c');
    }
}
