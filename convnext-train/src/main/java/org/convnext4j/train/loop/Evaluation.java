package org.convnext4j.train.loop;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

import org.convnext4j.model.ConvNeXtGraph;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/** Top-1, top-5, mean cross-entropy, per-class accuracy and the confusion matrix of one pass over a split. */
public record Evaluation(long samples, double top1, double top5, double loss, double[] perClassAccuracy,
                         long[][] confusion, List<String> classNames) {

    /** Thrown by {@link #run(ComputationGraph, DataSetIterator, List, BooleanSupplier)} when asked to stop. */
    public static final class Stopped extends RuntimeException {
        Stopped() {
            super("evaluation stopped", null, false, false);
        }
    }

    public static Evaluation run(ComputationGraph graph, DataSetIterator data, List<String> classNames) {
        return run(graph, data, classNames, () -> false);
    }

    /** As {@link #run(ComputationGraph, DataSetIterator, List)}, checking {@code stop} before every batch. */
    public static Evaluation run(ComputationGraph graph, DataSetIterator data, List<String> classNames, BooleanSupplier stop) {
        return run(graph, data, classNames, stop, images -> { });
    }

    /** As {@link #run(ComputationGraph, DataSetIterator, List, BooleanSupplier)}, telling {@code progress} each batch's images. */
    public static Evaluation run(ComputationGraph graph, DataSetIterator data, List<String> classNames, BooleanSupplier stop,
                                 IntConsumer progress) {
        int k = classNames.size();
        long[][] confusion = new long[k][k];
        long samples = 0;
        long top5Hits = 0;
        double lossSum = 0;
        data.reset();
        while (data.hasNext()) {
            if (stop.getAsBoolean()) {
                throw new Stopped();
            }
            DataSet batch = data.next();
            if (batch.getFeatures().size(0) == 0) {
                continue;   // every image of the batch was unreadable, and left out
            }
            INDArray logits = ConvNeXtGraph.logits(graph, batch.getFeatures()).castTo(DataType.DOUBLE);
            INDArray labels = batch.getLabels();
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
                lossSum += -(row[truth] - max - Math.log(sumExp));
                int better = 0;
                int predicted = 0;
                for (int c = 0; c < k; c++) {
                    if (row[c] > row[truth]) {
                        better++;
                    }
                    if (row[c] > row[predicted]) {
                        predicted = c;
                    }
                }
                if (better < 5) {
                    top5Hits++;
                }
                confusion[truth][predicted]++;
                samples++;
            }
            progress.accept(logits.rows());
        }
        if (samples == 0) {
            throw new IllegalArgumentException("no samples to evaluate");
        }
        long correct = 0;
        double[] perClass = new double[k];
        for (int c = 0; c < k; c++) {
            long total = 0;
            for (int p = 0; p < k; p++) {
                total += confusion[c][p];
            }
            correct += confusion[c][c];
            perClass[c] = total == 0 ? Double.NaN : (double) confusion[c][c] / total;
        }
        return new Evaluation(samples, (double) correct / samples, (double) top5Hits / samples, lossSum / samples,
                perClass, confusion, classNames);
    }

    public ObjectNode toJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode node = json.createObjectNode();
        node.put("samples", samples).put("top1", top1).put("top5", top5).put("loss", loss);
        ObjectNode perClass = node.putObject("per_class_accuracy");
        for (int c = 0; c < classNames.size(); c++) {
            perClass.put(classNames.get(c), perClassAccuracy[c]);
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
}
