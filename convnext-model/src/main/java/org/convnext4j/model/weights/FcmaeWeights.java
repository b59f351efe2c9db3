package org.convnext4j.model.weights;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ConvNeXt V2's FCMAE pre-training checkpoints, read as the official fine-tuning code reads them
 * ({@code main_finetune.py} and {@code remap_checkpoint_keys}): the encoder's weights under official names,
 * without the decoder, and without a final norm and head, which fine-tuning starts fresh.
 *
 * <p>Two layouts exist. What the pre-training code writes: {@code encoder.}-prefixed names, the sparse
 * (MinkowskiEngine) convolutions' {@code kernel}s, (kernel volume, in, out) or (kernel volume, channels)
 * with the kernel index running over height fastest, {@code ln}/{@code linear} submodules, (1, C) biases,
 * (1, 4C) GRN parameters, and the decoder, projection, prediction and mask token. And what was published
 * for download: official dense names already, GRN parameters of any shape with 4C elements.
 */
final class FcmaeWeights {

    private static final String ENCODER = "encoder.";
    /** The pre-training-only modules: a name containing one of these is dropped, as the official code drops it. */
    private static final List<String> PRE_TRAINING_ONLY = List.of("decoder", "mask_token", "proj", "pred");

    private FcmaeWeights() {
    }

    /** Whether the tensors are an FCMAE pre-training state dict in the pre-training code's layout. */
    static boolean isPreTrainingLayout(Map<String, INDArray> tensors) {
        return tensors.keySet().stream().anyMatch(name -> name.startsWith(ENCODER + "downsample_layers."));
    }

    /**
     * The tensors under official names and shapes: the pre-training layout translated, and in either layout
     * every GRN parameter reshaped to the official (1, 1, 1, 4C). Other state dicts come back unchanged.
     */
    static Map<String, INDArray> asOfficial(Map<String, INDArray> tensors) {
        boolean preTraining = isPreTrainingLayout(tensors);
        Map<String, INDArray> official = new LinkedHashMap<>();
        tensors.forEach((name, tensor) -> {
            if (preTraining) {
                if (PRE_TRAINING_ONLY.stream().anyMatch(name::contains)) {
                    return;
                }
                name = withoutSparseSubmodule(name.startsWith(ENCODER) ? name.substring(ENCODER.length()) : name);
                if (name.endsWith(".kernel")) {
                    name = name.substring(0, name.length() - "kernel".length()) + "weight";
                    tensor = denseKernel(name, tensor);
                } else if (name.endsWith(".bias") && tensor.rank() == 2) {
                    tensor = tensor.reshape(tensor.length());
                }
            }
            if (isOfficialGrn(name) && tensor.rank() != 4) {
                tensor = tensor.reshape(1, 1, 1, tensor.length());
            }
            official.put(name, tensor);
        });
        return official;
    }

    private static boolean isOfficialGrn(String name) {
        return name.startsWith("stages.") && (name.endsWith(".grn.gamma") || name.endsWith(".grn.beta"));
    }

    /** {@code norm.ln.weight} → {@code norm.weight}, {@code pwconv1.linear.bias} → {@code pwconv1.bias}. */
    private static String withoutSparseSubmodule(String name) {
        return name.replace(".ln.", ".").replace(".linear.", ".");
    }

    /**
     * A sparse convolution's kernel as the dense (out, in, k, k) weight: W[o, i, h, w] = kernel[w·k + h, i, o],
     * or for the depthwise (k², C) kernel W[c, 0, h, w] = kernel[w·k + h, c].
     */
    private static INDArray denseKernel(String name, INDArray kernel) {
        long volume = kernel.size(0);
        int k = (int) Math.round(Math.sqrt(volume));
        if (k * (long) k != volume || (kernel.rank() != 2 && kernel.rank() != 3)) {
            throw new IncompatibleWeightsException("FCMAE tensor '" + name + "': a sparse kernel of shape "
                    + java.util.Arrays.toString(kernel.shape()) + ", expected (k², in, out) or (k², channels)");
        }
        INDArray outInVolume = kernel.rank() == 3 ? kernel.permute(2, 1, 0) : kernel.permute(1, 0).reshape(kernel.size(1), 1, volume);
        // (out, in, k·k) with the volume index w·k + h: reshaped to (out, in, w, h), then h and w swapped
        return outInVolume.dup('c').reshape(outInVolume.size(0), outInVolume.size(1), k, k).permute(0, 1, 3, 2).dup('c');
    }
}
