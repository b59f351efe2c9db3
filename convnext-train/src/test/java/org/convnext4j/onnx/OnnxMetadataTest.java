package org.convnext4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import org.convnext4j.data.Normalization;
import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.ConvNeXtVariants;
import org.convnext4j.model.io.ModelInfo;
import org.convnext4j.onnx.proto.Onnx.ModelProto;
import org.convnext4j.onnx.proto.Onnx.StringStringEntryProto;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * The export's metadata_props: the variant, input size, class names, eval crop and normalisation survive the
 * file and ONNX Runtime's reading of it; files that are not ONNX, or not ours, are one-line refusals.
 */
class OnnxMetadataTest {

    private static final List<String> CLASSES = List.of("ant", "bee", "cat, the \"tabby\"", "dog", "été");

    @TempDir
    static Path dir;
    private static ComputationGraph graph;
    private static ConvNeXtConfig config;

    @BeforeAll
    static void buildTinyNetwork() {
        config = ConvNeXtVariants.get(ConvNeXtVariants.TEST).withNumClasses(CLASSES.size());
        graph = ConvNeXtGraph.create(config, 32, 3, DataType.FLOAT, new NoOp());
    }

    @Test
    void metadataRoundTripsThroughTheFileAndOnnxRuntime() throws IOException {
        ModelInfo info = new ModelInfo(ConvNeXtVariants.TEST, config, 32, CLASSES).withEvalCropPct(0.95);
        Path file = dir.resolve("with-crop.onnx");
        OnnxExport.write(file, graph, info);

        OnnxMetadata expected = new OnnxMetadata(ConvNeXtVariants.TEST, 32, CLASSES, OptionalDouble.of(0.95), Normalization.IMAGENET);
        Map<String, String> props = new HashMap<>();
        for (StringStringEntryProto entry : ModelProto.parseFrom(Files.readAllBytes(file)).getMetadataPropsList()) {
            props.put(entry.getKey(), entry.getValue());
        }
        assertEquals("[\"ant\",\"bee\",\"cat, the \\\"tabby\\\"\",\"dog\",\"été\"]", props.get("convnext4j.class_names"));
        assertEquals("0.485,0.456,0.406", props.get("convnext4j.mean"));
        assertEquals("0.229,0.224,0.225", props.get("convnext4j.std"));
        assertEquals(expected, OnnxMetadata.read(file, props));
        try (OnnxRuntimeModel model = OnnxRuntimeModel.open(file, 1)) {
            assertEquals(expected, model.metadata());
            assertTrue(model.describe().startsWith("ONNX Runtime 1.20.0, intra-op threads 1, inter-op 1"), model.describe());
        }
    }

    @Test
    void aModelWithoutARecordedCropExportsNone() throws IOException {
        Path file = dir.resolve("no-crop.onnx");
        OnnxExport.write(file, graph, new ModelInfo(ConvNeXtVariants.TEST, config, 32, CLASSES));
        try (OnnxRuntimeModel model = OnnxRuntimeModel.open(file, 1)) {
            assertEquals(OptionalDouble.empty(), model.metadata().evalCropPct());
            assertEquals(CLASSES, model.metadata().classNames());
        }
    }

    @Test
    void filesThatAreNotOursAreOneLineRefusalsNamingTheFile() throws IOException {
        Path ours = dir.resolve("ours.onnx");
        OnnxExport.write(ours, graph, new ModelInfo(ConvNeXtVariants.TEST, config, 32, CLASSES));
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(ours));

        Path bare = dir.resolve("bare.onnx");
        Files.write(bare, proto.toBuilder().clearMetadataProps().build().toByteArray());
        assertRefused(bare, "an ONNX model without convnext4j's metadata");

        Path text = Files.writeString(dir.resolve("text.onnx"), "not a model");
        assertRefused(text, "not an ONNX model that ONNX Runtime loads");

        assertRefused(dir.resolve("missing.onnx"), "no such ONNX model file");

        Map<String, String> otherMean = new HashMap<>(OnnxMetadata.of(new ModelInfo(ConvNeXtVariants.TEST, config, 32, CLASSES)).properties());
        otherMean.put("convnext4j.mean", "0.5,0.5,0.5");
        IOException normalisation = assertThrows(IOException.class, () -> OnnxMetadata.read(ours, otherMean));
        assertTrue(normalisation.getMessage().contains("mean 0.5,0.5,0.5") && normalisation.getMessage().contains("ImageNet"),
                normalisation.getMessage());

        Map<String, String> noClasses = new HashMap<>(otherMean);
        noClasses.remove("convnext4j.class_names");
        IOException missing = assertThrows(IOException.class, () -> OnnxMetadata.read(ours, noClasses));
        assertEquals(ours + ": its convnext4j metadata has no convnext4j.class_names; expected a file written by"
                + " `convnext export --format onnx`", missing.getMessage());
    }

    private static void assertRefused(Path file, String expected) {
        IOException refused = assertThrows(IOException.class, () -> OnnxRuntimeModel.open(file, 1).close());
        assertTrue(refused.getMessage().startsWith(file.toString()) && refused.getMessage().contains(expected), refused.getMessage());
        assertFalse(refused.getMessage().contains("\n"), refused.getMessage());
    }
}
