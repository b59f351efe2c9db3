package org.convnext4j.train.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.weights.ConvNeXtWeights;
import org.convnext4j.model.weights.SafeTensors;
import org.convnext4j.model.weights.WeightNaming;
import org.convnext4j.train.config.Recipe;
import org.convnext4j.train.loop.GradientStep;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Two AdamW steps with the recipe's no-decay groups equal PyTorch's (optimizer-fixtures/generate_adamw_fixture.py). */
class AdamWParityTest {

    private static final Path MODEL_FIXTURES = Path.of("../convnext-model/src/test/resources/fixtures");
    private static final Path FIXTURE = Path.of("src/test/resources/optimizer-fixtures/adamw_two_steps.safetensors");
    private static DataType previous;

    @BeforeAll
    static void useDouble() {
        previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(previous, previous);
    }

    @Test
    void twoStepsMatchPyTorch() throws IOException {
        ConvNeXtConfig config = new ConvNeXtConfig(List.of(1, 1, 2, 1), List.of(8, 16, 24, 32), false, 0.0, 0.5, 1.0, 7);
        Recipe.Optimizer adamw = new Recipe.Optimizer(1e-3, 0.05, List.of(0.9, 0.999), 1e-8, 1.0,
                org.convnext4j.model.optim.LayerDecay.Scheme.GROUP, null);
        Recipe.Schedule constant = new Recipe.Schedule(1, 0, 1e-3, null);   // min lr = lr: a constant rate
        ComputationGraph graph = new ComputationGraph(ConvNeXtGraph.configuration(config, 64, 0, DataType.DOUBLE,
                OptimizerSetup.adamW(adamw, constant, 10, 0).perLayer(config)));
        graph.init();
        ConvNeXtWeights.load(graph, config, SafeTensors.read(MODEL_FIXTURES.resolve("convnext_test_torchvision.safetensors")), false);

        INDArray input = SafeTensors.read(MODEL_FIXTURES.resolve("convnext_test_io.safetensors")).get("input").castTo(DataType.DOUBLE);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 2, 7);
        labels.putScalar(0, 0, 1.0);
        labels.putScalar(1, 3, 1.0);
        Map<String, INDArray> expected = SafeTensors.read(FIXTURE);

        GradientStep optimizer = new GradientStep(graph, null);
        for (int step = 1; step <= 2; step++) {
            optimizer.accumulate(new DataSet(input, labels));
            optimizer.apply(step - 1, 0);
            Map<String, INDArray> ours = ConvNeXtWeights.export(graph, config, WeightNaming.OFFICIAL);
            double worst = 0;
            String worstName = "";
            for (Map.Entry<String, INDArray> e : ours.entrySet()) {
                INDArray reference = expected.get("step" + step + "/" + e.getKey());
                double diff = e.getValue().sub(reference).amaxNumber().doubleValue();
                if (diff > worst) {
                    worst = diff;
                    worstName = e.getKey();
                }
            }
            assertTrue(worst <= 1e-5, "step " + step + ": max |diff| " + worst + " at " + worstName);
        }
    }
}
