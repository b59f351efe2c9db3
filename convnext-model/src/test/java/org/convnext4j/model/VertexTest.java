package org.convnext4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;

class VertexTest {

    @Test
    void namesAreTheGraphsVertexNames() {
        assertEquals("stem", Vertex.STEM.name());
        assertEquals("s2.downsample", Vertex.downsample(2).name());
        assertEquals("s2.b5", Vertex.block(2, 5).name());
        assertEquals("head", Vertex.HEAD.name());
        assertEquals(Vertex.block(2, 5), new Vertex(Vertex.Kind.BLOCK, 2, 5), "a value: equal by kind, stage and index");
    }

    @Test
    void allListsTheGraphsConvNeXtLayersInOrder() {
        ConvNeXtConfig config = ConvNeXtVariants.get(ConvNeXtVariants.TEST);
        ComputationGraphConfiguration conf = ConvNeXtGraph.configuration(config, 32, 1, DataType.FLOAT, new NoOp());
        List<String> names = new ArrayList<>();
        Vertex.all(config).forEach(vertex -> names.add(vertex.name()));
        List<String> graphLayers = new ArrayList<>(conf.getVertices().keySet());
        graphLayers.remove(ConvNeXtGraph.OUTPUT);
        assertEquals(graphLayers, names);
        assertEquals(2 + 3 + config.depths().stream().mapToInt(Integer::intValue).sum(), names.size());
    }

    @Test
    void refusesPlacesThatDoNotExist() {
        assertThrows(IllegalArgumentException.class, () -> Vertex.downsample(0), "stage 0 follows the stem, not a downsampling");
        assertThrows(IllegalArgumentException.class, () -> Vertex.downsample(4));
        assertThrows(IllegalArgumentException.class, () -> Vertex.block(4, 0));
        assertThrows(IllegalArgumentException.class, () -> Vertex.block(1, -1));
        assertThrows(IllegalArgumentException.class, () -> new Vertex(Vertex.Kind.HEAD, 3, 0));
    }
}
