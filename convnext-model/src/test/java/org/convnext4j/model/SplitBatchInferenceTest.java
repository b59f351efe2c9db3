package org.convnext4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;

class SplitBatchInferenceTest {

    private static final double TOLERANCE = 1e-5;

    private static ComputationGraph network() {
        return network(ConvNeXtVariants.TEST);
    }

    private static ComputationGraph network(String variant) {
        return ConvNeXtGraph.create(ConvNeXtVariants.get(variant).withNumClasses(7), 32, 3, DataType.FLOAT, new NoOp());
    }

    private static double largestDifference(INDArray a, INDArray b) {
        assertArrayEquals(a.shape(), b.shape());
        return a.sub(b).amaxNumber().doubleValue();
    }

    @Test
    void splitLogitsAreTheWholeBatchsLogits() {
        ComputationGraph graph = network();
        INDArray images = Nd4j.randn(DataType.FLOAT, 5, 3, 32, 32);
        INDArray whole = ConvNeXtGraph.logits(graph, images);
        for (int parts : new int[] {2, 3, 5, 8}) {
            try (SplitBatchInference inference = SplitBatchInference.of(graph, parts)) {
                assertEquals(Math.min(parts, 5), inference.partsFor(5));
                assertEquals(1, inference.partsFor(1));
                for (int round = 0; round < 2; round++) {   // the replicas' second pass reuses what the first made
                    assertTrue(largestDifference(whole, inference.logits(images)) < TOLERANCE, parts + " parts, pass " + round);
                }
                INDArray one = images.get(NDArrayIndex.interval(2, 3));
                assertTrue(largestDifference(whole.get(NDArrayIndex.interval(2, 3)), inference.logits(one)) < TOLERANCE);
            }
        }
    }

    /** GRN's norms are per sample too, so V2 splits as V1 does. */
    @Test
    void aV2NetworkSplitsAlike() {
        ComputationGraph graph = network(ConvNeXtVariants.TEST_V2);
        INDArray images = Nd4j.randn(DataType.FLOAT, 4, 3, 32, 32);
        try (SplitBatchInference inference = SplitBatchInference.of(graph, 2)) {
            assertTrue(largestDifference(ConvNeXtGraph.logits(graph, images), inference.logits(images)) < TOLERANCE);
        }
    }

    @Test
    void theReplicasReadTheNetworksParametersNotACopy() {
        ComputationGraph graph = network();
        INDArray images = Nd4j.randn(DataType.FLOAT, 4, 3, 32, 32);
        try (SplitBatchInference inference = SplitBatchInference.of(graph, 2)) {
            INDArray before = inference.logits(images);
            graph.params().assign(Nd4j.randn(DataType.FLOAT, graph.params().shape()).muli(0.05));   // as an EMA swap does
            INDArray after = inference.logits(images);
            assertTrue(largestDifference(before, after) > 1e-3, "the new weights changed nothing");
            assertTrue(largestDifference(ConvNeXtGraph.logits(graph, images), after) < TOLERANCE);
        }
    }

    @Test
    void aPartsFailureIsThrownAsTheWholeNetworkThrowsIt() {
        ComputationGraph graph = network();
        INDArray wrongChannels = Nd4j.randn(DataType.FLOAT, 4, 5, 32, 32);
        RuntimeException whole = assertThrows(RuntimeException.class, () -> ConvNeXtGraph.logits(graph, wrongChannels));
        try (SplitBatchInference inference = SplitBatchInference.of(graph, 2)) {
            RuntimeException split = assertThrows(RuntimeException.class, () -> inference.logits(wrongChannels));
            assertEquals(whole.getClass(), split.getClass());
            assertEquals(whole.getMessage(), split.getMessage());
            INDArray images = Nd4j.randn(DataType.FLOAT, 4, 3, 32, 32);
            assertTrue(largestDifference(ConvNeXtGraph.logits(graph, images), inference.logits(images)) < TOLERANCE,
                    "still usable after a failed batch");
        }
    }

    @Test
    void closingTwiceIsHarmless() {
        SplitBatchInference inference = SplitBatchInference.of(network(), 2);
        inference.logits(Nd4j.randn(DataType.FLOAT, 2, 3, 32, 32));
        inference.close();
        inference.close();
    }

    @Test
    void noPartsIsRefused() {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> SplitBatchInference.of(network(), 0));
        assertEquals("parts must be at least 1, got 0", thrown.getMessage());
    }
}
