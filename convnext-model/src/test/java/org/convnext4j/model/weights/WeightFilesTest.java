package org.convnext4j.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class WeightFilesTest {

    private static final Path SAFETENSORS = WeightFixtures.path(WeightFixtures.weightsFile(WeightNaming.TORCHVISION));

    @TempDir
    Path dir;

    @Test
    void readsEitherFormatByItsExtension() throws IOException {
        Map<String, INDArray> fromSafeTensors = WeightFiles.readWeights(SAFETENSORS);
        Map<String, INDArray> fromPth = WeightFiles.readWeights(PyTorchCheckpointTest.fixture("torchvision_state_dict.pth"));
        // A .pt file in another folder name, read through the same entry.
        Map<String, INDArray> fromPt = WeightFiles.readWeights(PyTorchCheckpointTest.fixture("timm_module_prefixed.pt"));

        PyTorchCheckpointTest.assertSameTensors(WeightFixtures.weights(WeightNaming.TORCHVISION), fromSafeTensors);
        PyTorchCheckpointTest.assertSameTensors(WeightFixtures.weights(WeightNaming.TORCHVISION), fromPth);
        PyTorchCheckpointTest.assertSameTensors(WeightFixtures.weights(WeightNaming.TIMM), fromPt);
    }

    @Test
    void saysWhatItRead() throws IOException {
        assertEquals("safetensors file (65 tensors)", WeightFiles.read(SAFETENSORS, null).description());
        assertEquals("state dict under 'model_ema' (65 tensors)",
                WeightFiles.read(PyTorchCheckpointTest.fixture("official_checkpoint.pth"), "model_ema").description());
    }

    @Test
    void refusesUnknownExtensionsAndKeysForSafeTensors() throws IOException {
        Path unknown = Files.write(dir.resolve("weights.h5"), new byte[8]);

        IOException extension = assertThrows(WeightFileException.class, () -> WeightFiles.readWeights(unknown));
        IOException key = assertThrows(WeightFileException.class, () -> WeightFiles.read(SAFETENSORS, "model"));

        assertEquals(unknown + ": unknown weight file type; expected a .safetensors, .pth, .pt or .bin file",
                extension.getMessage());
        assertEquals(SAFETENSORS + ": a safetensors file is one flat state dict; it has no key 'model'",
                key.getMessage());
    }
}
