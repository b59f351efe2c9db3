package org.convnext4j.model.weights;

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
    public INDArray toOurs(INDArray foreign, DataType dataType) {
        // A fresh copy, so the network never shares memory with the caller's map.
        return rearrangeToOurs(foreign).castTo(dataType).dup('c');
    }

    /** A fresh C-order FLOAT array in PyTorch's layout, as PyTorch checkpoints store it. */
    public INDArray toForeign(INDArray ours) {
        return rearrangeToForeign(ours).castTo(DataType.FLOAT).dup('c');
    }
}
