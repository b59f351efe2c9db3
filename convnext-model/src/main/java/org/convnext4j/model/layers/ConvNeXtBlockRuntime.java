package org.convnext4j.model.layers;

import org.convnext4j.model.kernels.DropPath;
import org.convnext4j.model.kernels.LayerNormSaved;
import org.convnext4j.model.kernels.Views;
import org.convnext4j.model.kernels.WorkingArrays;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Hand-written runtime of {@link ConvNeXtBlock} (see {@link HandWrittenRuntime}), residual add and stochastic depth included. */
final class ConvNeXtBlockRuntime extends HandWrittenRuntime {

    // Scratch roles: arrays that live within one forward or backward pass; a role serves one array in
    // each pass at most (CONV: the depthwise convolution's output, and in the backward pass its gradient).
    private static final String CONV = "block.conv";
    private static final String FC2_OUT = "block.fc2Out";
    private static final String D_FC2 = "block.dFc2";
    private static final String HALF_D_ACTIVATED = "block.halfDActivated";
    private static final String D_HIDDEN = "block.dHidden";
    private static final String D_NORM_OUT = "block.dNormOut";
    // Roles of what training keeps, lent as scratch to inference passes.
    private static final String NORM_OUT = "block.normOut";
    private static final String HIDDEN = "block.hidden";
    private static final String RESPONDED = "block.responded";
    /** The GELU kernel's output is twice the activation (its ½ is folded into fc2's product). */
    private static final double GELU_OUTPUT_SCALE = 2;

    private final int dim;
    private final boolean grn;
    private final boolean layerScale;
    private final double dropPathRate;
    private PassDraws draws;     // made at the first training pass, when DL4J has set the layer's index
    private DropPath dropPath;   // this training step's, null when nothing is dropped

    // Kept from the forward pass, as (positions, dim) or (positions, 4·dim) matrices.
    private LayerNormSaved norm;
    private INDArray normOut;
    private INDArray hidden;
    private INDArray activation;
    private INDArray responded;   // GRN's output, fc2's input (V2)
    private INDArray norms;       // GRN's per-sample column norms (V2)
    private INDArray fc2Out;

    ConvNeXtBlockRuntime(NeuralNetConfiguration conf, DataType dataType, int dim, boolean grn, boolean layerScale,
                         double dropPathRate) {
        super(conf, dataType);
        this.dim = dim;
        this.grn = grn;
        this.layerScale = layerScale;
        this.dropPathRate = dropPathRate;
    }

    @Override
    protected long[] outputShape(long[] inputShape) {
        return inputShape;
    }

    @Override
    protected void forward(INDArray input, INDArray output, boolean training) {
        DataType type = input.dataType();
        long rows = input.length() / dim;
        long[] wide = {rows, (long) ConvNeXtBlock.MLP_RATIO * dim};
        normOut = kept(training, NORM_OUT, normOut, type, rows, dim);
        hidden = kept(training, HIDDEN, hidden, type, wide);

        INDArray conv = scratch().get(CONV, type, input.shape());
        kernels.depthwise(input, param(ConvNeXtBlock.DW_WEIGHT), param(ConvNeXtBlock.DW_BIAS), conv);
        LayerNormSaved saved = training ? (norm = keptNorm(norm, type, rows, dim)) : null;
        kernels.layerNorm(Views.reshaped(conv, rows, dim), null, param(ConvNeXtBlock.NORM_WEIGHT), param(ConvNeXtBlock.NORM_BIAS),
                normOut, saved);

        kernels.matmul(normOut, param(ConvNeXtBlock.FC1_WEIGHT), hidden, false, false, 1.0);
        // GELU's ½ moves into fc2's matmul (a power of two, so exact). Training keeps fc1's output
        // without its bias and the activation; inference overwrites the one with the other.
        INDArray twiceActivated = hidden;
        if (training) {
            activation = WorkingArrays.owned(activation, type, wide);
            twiceActivated = activation;
        }
        kernels.gelu(hidden, param(ConvNeXtBlock.FC1_BIAS), twiceActivated);
        INDArray fc2Input = twiceActivated;
        if (grn) {
            // Training keeps GRN's input (the activation) and its output; inference overwrites the one with the other.
            long samples = input.size(0);
            norms = training ? WorkingArrays.owned(norms, type, samples, wide[1]) : null;
            fc2Input = training ? (responded = kept(true, RESPONDED, responded, type, wide)) : twiceActivated;
            kernels.grn(twiceActivated, rows / samples, param(ConvNeXtBlock.GRN_GAMMA), param(ConvNeXtBlock.GRN_BETA),
                    GELU_OUTPUT_SCALE, fc2Input, norms);
        }

        // Only layer scale's gradient reads fc2's output; without it the output is scratch.
        fc2Out = layerScale ? kept(training, FC2_OUT, fc2Out, type, rows, dim) : scratch().get(FC2_OUT, type, rows, dim);
        kernels.matmul(fc2Input, param(ConvNeXtBlock.FC2_WEIGHT), fc2Out, false, false, 1 / GELU_OUTPUT_SCALE);
        dropPath = training ? sampleDropPath((int) input.size(0), rows / input.size(0), type) : null;
        kernels.blockOutput(Views.reshaped(input, rows, dim), fc2Out, param(ConvNeXtBlock.FC2_BIAS),
                layerScale ? param(ConvNeXtBlock.GAMMA) : null, dropPath, Views.reshaped(output, rows, dim));
    }

    private DropPath sampleDropPath(int samples, long rowsPerSample, DataType type) {
        if (dropPathRate == 0) {
            return null;
        }
        if (draws == null) {
            draws = new PassDraws(getIndex());
        }
        return DropPath.sample(dropPathRate, samples, rowsPerSample, type, draws.next());
    }

    @Override
    protected void backward(INDArray input, INDArray outputGradient, INDArray inputGradient) {
        DataType type = input.dataType();
        long rows = input.length() / dim;
        long[] wide = hidden.shape();
        INDArray dFc2 = scratch().get(D_FC2, type, rows, dim);
        kernels.blockOutputBackward(Views.reshaped(outputGradient, rows, dim), fc2Out, param(ConvNeXtBlock.FC2_BIAS),
                layerScale ? param(ConvNeXtBlock.GAMMA) : null, dropPath, dFc2, layerScale ? grad(ConvNeXtBlock.GAMMA) : null,
                grad(ConvNeXtBlock.FC2_BIAS));

        kernels.matmul(grn ? responded : activation, dFc2, grad(ConvNeXtBlock.FC2_WEIGHT), true, false, 1 / GELU_OUTPUT_SCALE);
        INDArray halfDActivated = scratch().get(HALF_D_ACTIVATED, type, wide);
        kernels.matmul(dFc2, param(ConvNeXtBlock.FC2_WEIGHT), halfDActivated, false, true, 1 / GELU_OUTPUT_SCALE);
        if (grn) {
            // d/d(fc2's input) → d/d(GELU output), both the scaled quantities, in place
            kernels.grnBackward(halfDActivated, activation, rows / input.size(0), param(ConvNeXtBlock.GRN_GAMMA),
                    GELU_OUTPUT_SCALE, norms, halfDActivated, grad(ConvNeXtBlock.GRN_GAMMA), grad(ConvNeXtBlock.GRN_BETA));
        }

        INDArray dHidden = scratch().get(D_HIDDEN, type, wide);
        kernels.geluBackward(hidden, param(ConvNeXtBlock.FC1_BIAS), halfDActivated, dHidden, grad(ConvNeXtBlock.FC1_BIAS));
        kernels.matmul(normOut, dHidden, grad(ConvNeXtBlock.FC1_WEIGHT), true, false, 1.0);
        INDArray dNormOut = scratch().get(D_NORM_OUT, type, rows, dim);
        kernels.matmul(dHidden, param(ConvNeXtBlock.FC1_WEIGHT), dNormOut, false, true, 1.0);

        // dConv's column sums, taken in the LayerNorm's pass, are the convolution's bias gradient.
        INDArray dConv = scratch().get(CONV, type, input.shape());
        kernels.layerNormBackward(dNormOut, norm, param(ConvNeXtBlock.NORM_WEIGHT), grad(ConvNeXtBlock.NORM_WEIGHT),
                grad(ConvNeXtBlock.NORM_BIAS), Views.reshaped(dConv, rows, dim), grad(ConvNeXtBlock.DW_BIAS));
        kernels.depthwiseBackward(input, param(ConvNeXtBlock.DW_WEIGHT), dConv, inputGradient, grad(ConvNeXtBlock.DW_WEIGHT));
        inputGradient.addi(outputGradient);   // the residual path
    }
}
