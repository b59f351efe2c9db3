package org.convnext4j.train.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.ConvNeXtVariants;
import org.convnext4j.model.Vertex;
import org.convnext4j.model.optim.AdamW;
import org.convnext4j.model.optim.LayerDecay;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.saver.InMemoryModelSaver;
import org.deeplearning4j.earlystopping.scorecalc.DataSetLossCalculator;
import org.deeplearning4j.earlystopping.termination.MaxEpochsTerminationCondition;
import org.deeplearning4j.earlystopping.trainer.EarlyStoppingGraphTrainer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's own {@code ComputationGraph.fit} on our network takes the step our loop takes: the same AdamW,
 * warm-up + cosine schedule, decoupled weight decay on weights only, layer decay and frozen stages, because
 * all of it is in the network's configuration. So DL4J's tools that drive {@code fit} (early stopping,
 * ParallelWrapper) train our networks as our loop would, without what the loop adds around the step.
 */
class FitEquivalenceTest {

    private static final int CLASSES = 3;
    private static final int SIZE = 32;

    @Test
    void fitTakesTheLoopsOptimizerStep() {
        ConvNeXtConfig config = ConvNeXtVariants.get(ConvNeXtVariants.TEST).withNumClasses(CLASSES).withDropPathRate(0);
        AdamW adamW = new AdamW(2e-3, 1e-5, 2, 6, 0.9, 0.999, 1e-8, 0.05, 0.1, 0.7, LayerDecay.Scheme.GROUP, 1);
        ComputationGraph ours = network(config, adamW);
        ComputationGraph dl4j = network(config, adamW);
        INDArray initial = ours.params().dup();
        assertArrayEquals(initial.toFloatVector(), dl4j.params().toFloatVector(), 0f, "the same seed gives the same network");

        GradientStep step = new GradientStep(ours, null);
        List<DataSet> batches = batches(4, 5);
        for (int i = 0; i < batches.size(); i++) {
            step.accumulate(batches.get(i));
            step.apply(i, 0);
            dl4j.fit(batches.get(i));
        }

        float[] expected = ours.params().toFloatVector();
        float[] actual = dl4j.params().toFloatVector();
        double maxMoved = 0;
        double maxDifference = 0;
        for (int i = 0; i < expected.length; i++) {
            maxMoved = Math.max(maxMoved, Math.abs(expected[i] - initial.getDouble(i)));
            maxDifference = Math.max(maxDifference, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(maxMoved > 1e-3, "the steps moved the weights: " + maxMoved);
        assertTrue(maxDifference <= 1e-6, "fit and the loop differ by up to " + maxDifference);
        assertArrayEquals(ours.getUpdater().getStateViewArray().toFloatVector(), dl4j.getUpdater().getStateViewArray().toFloatVector(),
                1e-6f, "the Adam moments");
        assertEquals(batches.size(), dl4j.getConfiguration().getIterationCount());
        // the frozen stem (freezeStages 1) stayed where it was, in both
        INDArray stem = dl4j.getLayer(Vertex.STEM.name()).params();
        INDArray stemBefore = network(config, adamW).getLayer(Vertex.STEM.name()).params();
        assertArrayEquals(stemBefore.toFloatVector(), stem.toFloatVector(), 0f);
    }

    /** DL4J's early stopping drives {@code fit} epoch by epoch and scores our network on held-out data. */
    @Test
    void earlyStoppingTrainsOurNetwork() {
        ConvNeXtConfig config = ConvNeXtVariants.get(ConvNeXtVariants.TEST).withNumClasses(CLASSES).withDropPathRate(0);
        ComputationGraph graph = network(config, new AdamW(1e-3, 1e-5, 1, 6, 0.9, 0.999, 1e-8, 0.05, 0.05, 1.0, LayerDecay.Scheme.GROUP, 0));
        ListDataSetIterator<DataSet> train = new ListDataSetIterator<>(batches(3, 4), 1);
        EarlyStoppingConfiguration<ComputationGraph> settings = new EarlyStoppingConfiguration.Builder<ComputationGraph>()
                .epochTerminationConditions(new MaxEpochsTerminationCondition(2))
                .scoreCalculator(new DataSetLossCalculator(new ListDataSetIterator<>(batches(1, 4), 1), true))
                .modelSaver(new InMemoryModelSaver<>())
                .build();
        EarlyStoppingResult<ComputationGraph> result = new EarlyStoppingGraphTrainer(settings, graph, train).fit();
        assertEquals(2, result.getTotalEpochs());
        assertEquals(6, graph.getConfiguration().getIterationCount());
        assertTrue(Double.isFinite(result.getBestModelScore()), "held-out loss " + result.getBestModelScore());
    }

    private static ComputationGraph network(ConvNeXtConfig config, AdamW adamW) {
        ComputationGraph graph = new ComputationGraph(ConvNeXtGraph.configuration(config, SIZE, 11, DataType.FLOAT, adamW.perLayer(config)));
        graph.init();
        return graph;
    }

    private static List<DataSet> batches(int count, int size) {
        SplittableRandom random = new SplittableRandom(5);
        List<DataSet> batches = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            float[] pixels = new float[size * 3 * SIZE * SIZE];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) (random.nextDouble() * 2 - 1);
            }
            INDArray labels = Nd4j.zeros(DataType.FLOAT, size, CLASSES);
            for (int i = 0; i < size; i++) {
                labels.putScalar(i, random.nextInt(CLASSES), 1);
            }
            batches.add(new DataSet(Nd4j.create(pixels, new long[] {size, 3, SIZE, SIZE}), labels));
        }
        return batches;
    }
}
