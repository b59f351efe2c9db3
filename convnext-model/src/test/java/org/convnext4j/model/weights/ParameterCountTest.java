package org.convnext4j.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.ConvNeXtVariants;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * Our networks have exactly PyTorch's parameter counts. Each variant is built at the smallest image size
 * and released at once, except large and xlarge (0.8 and 1.4 GB of parameters, too much for a shared test
 * machine), which are counted from their configuration; every built variant shows that count to be what a
 * built graph reports.
 */
class ParameterCountTest {

    private static final int SMALLEST_IMAGE = 32;

    private static final Set<String> COUNTED_FROM_CONFIGURATION = Set.of("convnext_large", "convnext_xlarge");

    /** torchvision's published counts, which the fixture generator also asserts. */
    private static final Map<String, Long> TORCHVISION = Map.of(
            "convnext_tiny", 28_589_128L,
            "convnext_small", 50_223_688L,
            "convnext_base", 88_591_464L,
            "convnext_large", 197_767_336L);

    @Test
    void builtTestModelHasTheFixturesCount() throws IOException {
        JsonNode testConfig = paramCounts().get("test_config");
        ComputationGraph graph = WeightFixtures.graph(WeightFixtures.CONFIG, DataType.FLOAT);
        assertEquals(testConfig.get("params_torchvision").asLong(), graph.numParams());
    }

    @Test
    void torchvisionVariants() {
        TORCHVISION.forEach((name, count) -> assertEquals(count, count(name), name));
    }

    @Test
    void officialStyleVariantsFromTheFixtures() throws IOException {
        JsonNode variants = paramCounts().get("official_style_1000_classes");
        List<String> names = new ArrayList<>();
        variants.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("convnext_atto", "convnext_femto", "convnext_pico", "convnext_nano", "convnext_tiny",
                "convnext_xlarge"), names);
        for (String name : names) {
            JsonNode expected = variants.get(name);
            ConvNeXtConfig config = ConvNeXtVariants.get(name);
            assertEquals(ints(expected.get("depths")), config.depths(), name + " depths");
            assertEquals(ints(expected.get("dims")), config.dims(), name + " dims");
            assertEquals(expected.get("params").asLong(), count(name), name);
        }
    }

    private static long count(String variant) {
        ConvNeXtConfig config = ConvNeXtVariants.get(variant);
        if (COUNTED_FROM_CONFIGURATION.contains(variant)) {
            return countFromConfiguration(config);
        }
        ComputationGraph graph = ConvNeXtGraph.create(config, SMALLEST_IMAGE, 0, DataType.FLOAT);
        long built = graph.numParams();
        assertEquals(built, countFromConfiguration(config), variant + ": configuration count vs built graph");
        // Frees the off-heap parameters now rather than whenever the collector gets to them.
        graph.params().close();
        return built;
    }

    private static long countFromConfiguration(ConvNeXtConfig config) {
        ComputationGraphConfiguration conf = ConvNeXtGraph.configuration(config, SMALLEST_IMAGE, 0, DataType.FLOAT,
                new Adam(1e-3));
        long total = 0;
        for (GraphVertex vertex : conf.getVertices().values()) {
            if (vertex instanceof LayerVertex layerVertex) {
                Layer layer = layerVertex.getLayerConf().getLayer();
                total += layer.initializer().numParams(layer);
            }
        }
        return total;
    }

    private static JsonNode paramCounts() throws IOException {
        return new ObjectMapper().readTree(Files.readString(WeightFixtures.path("param_counts.json")));
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> values = new ArrayList<>();
        array.forEach(node -> values.add(node.asInt()));
        return values;
    }
}
