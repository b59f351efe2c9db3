package org.convnext4j.train.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The counts of a pass, on logits chosen by hand: ranks with ties, a class without samples, the loss, batches adding up. */
class SplitEvaluationTest {

    private static final List<String> SEVEN = List.of("a", "b", "c", "d", "e", "f", "g");

    @Test
    void countsTopOneTopFiveConfusionAndPerClassAccuracy() {
        SplitEvaluation.Tally tally = new SplitEvaluation.Tally(SEVEN);
        tally.add(Nd4j.create(new double[][] {
                {5, 1, 0, 0, 0, 0, 0},    // a, right
                {0, 5, 1, 0, 0, 0, 0},    // b, right
                {1, 0, 5, 0, 0, 0, 0},    // a, called c; a is second
                {6, 5, 4, 3, 2, 1, 0},    // g, called a; five classes above g, so not in the top 5
                {6, 5, 4, 3, 1, 1, 0},    // e, called a; four above, f tied with e: in the top 5
        }), oneHot(7, 0, 1, 0, 6, 4));
        SplitEvaluation result = tally.result();

        assertEquals(5, result.samples());
        assertEquals(2.0 / 5, result.top1(), 1e-12);
        assertEquals(4.0 / 5, result.top5(), 1e-12);
        assertEquals(1, result.confusion()[0][0]);
        assertEquals(1, result.confusion()[0][2]);
        assertEquals(1, result.confusion()[1][1]);
        assertEquals(1, result.confusion()[6][0]);
        assertEquals(1, result.confusion()[4][0]);
        assertEquals(5, total(result.confusion()));
        assertEquals(0.5, result.perClassAccuracy()[0], 1e-12);
        assertEquals(1.0, result.perClassAccuracy()[1], 1e-12);
        assertEquals(0.0, result.perClassAccuracy()[4], 1e-12);
        assertTrue(Double.isNaN(result.perClassAccuracy()[3]), "d has no samples, so no accuracy");
    }

    /** A true class tied with others: it is within the top k while fewer than k classes are strictly above it. */
    @Test
    void tiesCountForTheTrueClass() {
        SplitEvaluation.Tally tally = new SplitEvaluation.Tally(SEVEN);
        tally.add(Nd4j.create(new double[][] {
                {3, 3, 0, 0, 0, 0, 0},    // b tied with a at the top: a, the first of the two, is the prediction
                {9, 9, 9, 9, 9, 2, 2},    // f, five above it
                {9, 9, 9, 9, 2, 2, 2},    // g, four above it, tied with e and f
        }), oneHot(7, 1, 5, 6));
        SplitEvaluation result = tally.result();

        assertEquals(0.0, result.top1(), 1e-12);
        assertEquals(1, result.confusion()[1][0]);
        assertEquals(2.0 / 3, result.top5(), 1e-12);
    }

    @Test
    void lossIsTheMeanCrossEntropyOfTheSoftmax() {
        SplitEvaluation.Tally tally = new SplitEvaluation.Tally(List.of("x", "y", "z"));
        tally.add(Nd4j.create(new double[][] {{2, 0, -1}, {1000, 1001, 999}}), oneHot(3, 0, 2));
        double first = -Math.log(Math.exp(2) / (Math.exp(2) + 1 + Math.exp(-1)));
        double second = -Math.log(Math.exp(-2) / (Math.exp(-1) + 1 + Math.exp(-2)));   // shifted by 1001: no overflow
        assertEquals((first + second) / 2, tally.result().loss(), 1e-12);
    }

    @Test
    void batchesAddUpToOnePass() {
        double[][] logits = {{1, 2, 3}, {3, 2, 1}, {0, 5, 1}, {2, 2, 9}};
        SplitEvaluation.Tally whole = new SplitEvaluation.Tally(List.of("x", "y", "z"));
        whole.add(Nd4j.create(logits), oneHot(3, 2, 1, 1, 0));
        SplitEvaluation.Tally split = new SplitEvaluation.Tally(List.of("x", "y", "z"));
        split.add(Nd4j.create(new double[][] {logits[0]}).castTo(DataType.FLOAT), oneHot(3, 2));
        split.add(Nd4j.create(new double[][] {logits[1], logits[2], logits[3]}).castTo(DataType.FLOAT), oneHot(3, 1, 1, 0));

        SplitEvaluation a = whole.result();
        SplitEvaluation b = split.result();
        assertEquals(a.samples(), b.samples());
        assertEquals(a.top1(), b.top1(), 1e-12);
        assertEquals(a.loss(), b.loss(), 1e-6);
        assertArrayEquals(a.perClassAccuracy(), b.perClassAccuracy(), 1e-12);
        for (int c = 0; c < 3; c++) {
            assertArrayEquals(a.confusion()[c], b.confusion()[c]);
        }
    }

    /** A diverging run's network: its evaluation ends, with no metric, so that the loop can stop it with its own message. */
    @Test
    void aNaNOutputGivesNaNMetrics() {
        SplitEvaluation.Tally tally = new SplitEvaluation.Tally(List.of("x", "y"));
        tally.add(Nd4j.create(new double[][] {{1, 0}}), oneHot(2, 0));
        tally.add(Nd4j.create(new double[][] {{1, 0}, {Double.NaN, 0}}), oneHot(2, 0, 1));
        SplitEvaluation result = tally.result();

        assertEquals(3, result.samples());
        assertTrue(Double.isNaN(result.top1()) && Double.isNaN(result.top5()) && Double.isNaN(result.loss()));
        assertTrue(Double.isNaN(result.perClassAccuracy()[0]) && Double.isNaN(result.perClassAccuracy()[1]));
        assertEquals(0, total(result.confusion()));
    }

    @Test
    void aPassWithoutSamplesIsRefused() {
        SplitEvaluation.Tally empty = new SplitEvaluation.Tally(List.of("x", "y"));
        assertEquals("no samples to evaluate", assertThrows(IllegalArgumentException.class, empty::result).getMessage());
    }

    @Test
    void jsonKeepsItsKeys() {
        SplitEvaluation.Tally tally = new SplitEvaluation.Tally(List.of("x", "y"));
        tally.add(Nd4j.create(new double[][] {{1, 0}, {1, 0}}), oneHot(2, 0, 1));
        ObjectNode json = tally.result().toJson();
        assertEquals(List.of("samples", "top1", "top5", "loss", "per_class_accuracy", "confusion_matrix", "classes"),
                names(json.fieldNames()));
        assertEquals("[[1,0],[1,0]]", json.get("confusion_matrix").toString());
        assertEquals("{\"x\":1.0,\"y\":0.0}", json.get("per_class_accuracy").toString());
    }

    private static INDArray oneHot(int classes, int... truths) {
        INDArray labels = Nd4j.zeros(DataType.FLOAT, truths.length, classes);
        for (int i = 0; i < truths.length; i++) {
            labels.putScalar(i, truths[i], 1);
        }
        return labels;
    }

    private static long total(long[][] matrix) {
        long sum = 0;
        for (long[] row : matrix) {
            for (long v : row) {
                sum += v;
            }
        }
        return sum;
    }

    private static List<String> names(Iterator<String> fields) {
        List<String> names = new ArrayList<>();
        fields.forEachRemaining(names::add);
        return names;
    }
}
