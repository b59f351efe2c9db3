package org.convnext4j.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.ConvNeXtVariants;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/** With plain SGD at rate 1 the parameter change is the applied gradient, which makes it observable. */
class GradientStepTest {

    private final ConvNeXtConfig config = ConvNeXtVariants.get(ConvNeXtVariants.TEST).withNumClasses(3).withLayerScaleInit(0.5);

    @Test
    void accumulatedMicroBatchesAverageToTheFullBatchGradient() {
        DataSet full = batch(4);
        ComputationGraph whole = graph();
        GradientStep one = new GradientStep(whole, null);
        one.accumulate(full);
        INDArray before = whole.params().dup();
        one.apply(0, 0);
        INDArray wholeChange = before.sub(whole.params());

        ComputationGraph split = graph();
        GradientStep two = new GradientStep(split, null);
        two.accumulate(new DataSet(full.getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2)),
                full.getLabels().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2))));
        two.accumulate(new DataSet(full.getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 4)),
                full.getLabels().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 4))));
        two.apply(0, 0);
        INDArray splitChange = before.sub(split.params());
        assertEquals(0.0, wholeChange.sub(splitChange).amaxNumber().doubleValue(), 1e-6);
        assertThrows(IllegalStateException.class, () -> two.apply(1, 0));
    }

    @Test
    void unequalMicroBatchesAverageOverExamples() {
        DataSet full = batch(6);   // micro-batches of 2 and 4 (DL4J mis-computes batches of one; see Recipe.Data)
        ComputationGraph whole = graph();
        GradientStep one = new GradientStep(whole, null);
        one.accumulate(full);
        INDArray before = whole.params().dup();
        one.apply(0, 0);
        ComputationGraph split = graph();
        GradientStep two = new GradientStep(split, null);
        two.accumulate(new DataSet(full.getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2)),
                full.getLabels().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2))));
        two.accumulate(new DataSet(full.getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 6)),
                full.getLabels().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 6))));
        two.apply(0, 0);
        assertEquals(0.0, before.sub(whole.params()).sub(before.sub(split.params())).amaxNumber().doubleValue(), 1e-6);
    }

    /** A step of two micro-batches, then one of three: the sum array is reused, never stale. */
    @Test
    void stepsOfDifferentMicroBatchCountsEachAverageTheirOwnGradients() {
        DataSet first = batch(4);
        DataSet second = batch(6);
        ComputationGraph whole = graph();
        GradientStep one = new GradientStep(whole, null);
        one.accumulate(first);
        one.apply(0, 0);
        INDArray before = whole.params().dup();
        one.accumulate(second);
        one.apply(1, 0);
        INDArray wholeChange = before.sub(whole.params());

        ComputationGraph split = graph();
        GradientStep parts = new GradientStep(split, null);
        parts.accumulate(rows(first, 0, 2));
        parts.accumulate(rows(first, 2, 4));
        parts.apply(0, 0);
        assertEquals(0.0, before.sub(split.params()).amaxNumber().doubleValue(), 1e-6, "after the two-part step");
        parts.accumulate(rows(second, 0, 2));
        parts.accumulate(rows(second, 2, 4));
        parts.accumulate(rows(second, 4, 6));
        parts.apply(1, 0);
        assertEquals(0.0, wholeChange.sub(before.sub(split.params())).amaxNumber().doubleValue(), 1e-5);
    }

    @Test
    void clippingScalesTheGradientToTheMaximumNorm() {
        ComputationGraph graph = graph();
        GradientStep step = new GradientStep(graph, 1e-3);
        step.accumulate(batch(4));
        INDArray before = graph.params().dup();
        step.apply(0, 0);
        assertEquals(1e-3, before.sub(graph.params()).norm2Number().doubleValue(), 1e-6);
    }

    /** DL4J's updater takes its direct path only when the gradient it is given returns the updater's own array. */
    @Test
    void theUpdaterIsHandedItsOwnGradientArray() {
        ComputationGraph graph = graph();
        GradientStep optimizer = new GradientStep(graph, null);
        optimizer.accumulate(batch(4));
        assertSame(graph.getUpdater().getFlattenedGradientsView(), new GradientStep.ViewGradient(graph).gradient());
    }

    private static DataSet rows(DataSet data, int from, int to) {
        return new DataSet(data.getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to)),
                data.getLabels().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to)));
    }

    private ComputationGraph graph() {
        ComputationGraph graph = new ComputationGraph(ConvNeXtGraph.configuration(config, 32, 5, DataType.FLOAT, new Sgd(1.0)));
        graph.init();
        return graph;
    }

    private static DataSet batch(int n) {
        Nd4j.getRandom().setSeed(3);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, 3);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, i % 3, 1.0);
        }
        return new DataSet(Nd4j.randn(DataType.FLOAT, n, 3, 32, 32), labels);
    }

}
