package org.convnext4j.train.loop;

import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

import org.convnext4j.model.SplitBatchInference;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.evaluation.classification.ConfusionMatrix;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Top-1, top-5, mean cross-entropy, per-class accuracy and the confusion matrix of one pass over a split.
 * DL4J's {@link Evaluation} counts all but the loss, which it does not have, so that we sum ourselves.
 */
public record SplitEvaluation(long samples, double top1, double top5, double loss, double[] perClassAccuracy,
                              long[][] confusion, List<String> classNames) {

    /** Thrown by {@link #run(ComputationGraph, DataSetIterator, List, BooleanSupplier)} when asked to stop. */
    public static final class Stopped extends RuntimeException {
        Stopped() {
            super("evaluation stopped", null, false, false);
        }
    }

    public static SplitEvaluation run(ComputationGraph graph, DataSetIterator data, List<String> classNames) {
        return run(graph, data, classNames, () -> false);
    }

    /** As {@link #run(ComputationGraph, DataSetIterator, List)}, checking {@code stop} before every batch. */
    public static SplitEvaluation run(ComputationGraph graph, DataSetIterator data, List<String> classNames,
                                      BooleanSupplier stop) {
        return run(graph, data, classNames, stop, images -> { });
    }

    /** As {@link #run(ComputationGraph, DataSetIterator, List, BooleanSupplier)}, telling {@code progress} each batch's images. */
    public static SplitEvaluation run(ComputationGraph graph, DataSetIterator data, List<String> classNames,
                                      BooleanSupplier stop, IntConsumer progress) {
        Tally tally = new Tally(classNames);
        data.reset();
        try (SplitBatchInference inference = SplitBatchInference.of(graph)) {
            while (data.hasNext()) {
                if (stop.getAsBoolean()) {
                    throw new Stopped();
                }
                DataSet batch = data.next();
                if (batch.getFeatures().size(0) == 0) {
                    continue;   // every image of the batch was unreadable, and left out
                }
                tally.add(inference.logits(batch.getFeatures()), batch.getLabels());
                progress.accept((int) batch.getFeatures().size(0));
            }
        }
        return tally.result();
    }

    public ObjectNode toJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode node = json.createObjectNode();
        node.put("samples", samples);
        JsonNumbers.put(node, "top1", top1);
        JsonNumbers.put(node, "top5", top5);
        JsonNumbers.put(node, "loss", loss);
        ObjectNode perClass = node.putObject("per_class_accuracy");
        for (int c = 0; c < classNames.size(); c++) {
            JsonNumbers.put(perClass, classNames.get(c), perClassAccuracy[c]);   // null for a class without samples
        }
        ArrayNode matrix = node.putArray("confusion_matrix");
        for (long[] row : confusion) {
            ArrayNode r = matrix.addArray();
            for (long v : row) {
                r.add(v);
            }
        }
        ArrayNode names = node.putArray("classes");
        classNames.forEach(names::add);
        return node;
    }

    /** The counts of a pass so far, batch by batch. */
    static final class Tally {

        private final List<String> classNames;
        private final Evaluation counts;
        private long samples;
        private boolean nanOutputs;
        private double lossSum;

        Tally(List<String> classNames) {
            this.classNames = classNames;
            this.counts = new Evaluation(classNames, 5);
        }

        /** {@code logits} and one-hot {@code labels}, both [batch, classes]. */
        void add(INDArray logits, INDArray labels) {
            INDArray exact = logits.castTo(DataType.DOUBLE);
            samples += exact.rows();
            if (nanOutputs || exact.isNaN().any()) {
                nanOutputs = true;   // DL4J refuses to rank NaN outputs; a diverging run's evaluation must still end
                return;
            }
            // Logits rank the classes as their softmax does, without the ties a float softmax makes of distinct logits.
            counts.eval(labels, exact);
            lossSum += crossEntropySum(exact, labels);
        }

        /** The metrics; all NaN, the confusion matrix empty, where the network gave a NaN output. */
        SplitEvaluation result() {
            if (samples == 0) {
                throw new IllegalArgumentException("no samples to evaluate");
            }
            int k = classNames.size();
            long[][] confusion = new long[k][k];
            double[] perClass = new double[k];
            if (nanOutputs) {
                Arrays.fill(perClass, Double.NaN);
                return new SplitEvaluation(samples, Double.NaN, Double.NaN, Double.NaN, perClass, confusion, classNames);
            }
            ConfusionMatrix<Integer> matrix = counts.getConfusionMatrix();
            for (int c = 0; c < k; c++) {
                for (int p = 0; p < k; p++) {
                    confusion[c][p] = matrix.getCount(c, p);
                }
                perClass[c] = counts.recall(c, Double.NaN);   // a class without samples has no accuracy
            }
            return new SplitEvaluation(samples, counts.accuracy(), counts.topNAccuracy(), lossSum / samples, perClass,
                    confusion, classNames);
        }

        private static double crossEntropySum(INDArray logits, INDArray labels) {
            double sum = 0;
            for (int i = 0; i < logits.rows(); i++) {
                double[] row = logits.getRow(i).toDoubleVector();
                int truth = labels.getRow(i).argMax().getInt(0);
                double max = Double.NEGATIVE_INFINITY;
                for (double v : row) {
                    max = Math.max(max, v);
                }
                double sumExp = 0;
                for (double v : row) {
                    sumExp += Math.exp(v - max);
                }
                sum += -(row[truth] - max - Math.log(sumExp));
            }
            return sum;
        }
    }
}
