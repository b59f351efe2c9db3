package org.convnext4j.model.weights;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Reads a state dict from either weight format we know, told apart by the file's extension. */
public final class WeightFiles {

    private WeightFiles() {
    }

    /** The tensors of a {@code .safetensors} file, or the state dict of a {@code .pth}/{@code .pt}/{@code .bin} one. */
    public static Map<String, INDArray> readWeights(Path file) throws IOException {
        return read(file, null).tensors();
    }

    /**
     * Like {@link #readWeights}, with a line saying what was read.
     *
     * @param key for PyTorch checkpoints, the top-level key holding the state dict, or null to search for it;
     *            safetensors files have no keys, so it must be null for them
     */
    /** Whether the file's extension is one of the weight formats {@link #read} reads (not our model file). */
    public static boolean isWeightFile(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".safetensors") || name.endsWith(".pth") || name.endsWith(".pt") || name.endsWith(".bin");
    }

    public static PyTorchCheckpoint.Selected read(Path file, String key) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".safetensors")) {
            if (key != null) {
                throw new WeightFileException(file, "a safetensors file is one flat state dict; it has no key '"
                        + SafeUnpickler.abbreviate(key) + "'");
            }
            Map<String, INDArray> tensors = SafeTensors.read(file);
            return new PyTorchCheckpoint.Selected(tensors, "safetensors file (" + tensors.size() + " tensors)");
        }
        if (name.endsWith(".pth") || name.endsWith(".pt") || name.endsWith(".bin")) {
            return PyTorchCheckpoint.read(file, key);
        }
        throw new WeightFileException(file, "unknown weight file type; expected a .safetensors, .pth, .pt or .bin file");
    }
}
