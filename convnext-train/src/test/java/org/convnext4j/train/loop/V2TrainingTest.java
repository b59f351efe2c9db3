package org.convnext4j.train.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.ConvNeXtVariants;
import org.convnext4j.model.Vertex;
import org.convnext4j.model.layers.ConvNeXtBlock;
import org.convnext4j.model.optim.AdamW;
import org.convnext4j.model.optim.LayerDecay;
import org.convnext4j.model.weights.ConvNeXtWeights;
import org.convnext4j.model.weights.WeightNaming;
import org.convnext4j.testsupport.ImageFolders;
import org.convnext4j.train.config.RecipeLoader;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** ConvNeXt V2 trains with everything V1 has, and its GRN parameters get no weight decay. */
class V2TrainingTest {

    @TempDir
    static Path dir;

    /**
     * Decoupled weight decay changes only what it decays: one step with decay 0.5 and one without leave
     * every GRN γ and β identical (as biases and norms), and move the Linear weights apart.
     */
    @Test
    void grnParametersGetNoWeightDecay() {
        ConvNeXtConfig config = ConvNeXtVariants.get(ConvNeXtVariants.TEST_V2).withNumClasses(3);
        ComputationGraph decayed = network(config, 0.5);
        ComputationGraph plain = network(config, 0.0);
        decayed.params().addi(Nd4j.linspace(DataType.FLOAT, -0.2, 0.4 / decayed.numParams(), decayed.numParams()));
        plain.params().assign(decayed.params());
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 2, 3);
        labels.putScalar(0, 1, 1);
        labels.putScalar(1, 2, 1);
        DataSet batch = new DataSet(Nd4j.linspace(DataType.FLOAT, -1, 2.0 / (2 * 3 * 32 * 32), 2 * 3 * 32 * 32).reshape(2, 3, 32, 32),
                labels);
        decayed.fit(batch);
        plain.fit(batch);
        String block = Vertex.block(2, 1).name();
        for (String grn : List.of(ConvNeXtBlock.GRN_GAMMA, ConvNeXtBlock.GRN_BETA)) {
            INDArray moved = decayed.getLayer(block).getParam(grn);
            assertTrue(moved.amaxNumber().doubleValue() > 0, grn + " trained");
            assertArrayEquals(plain.getLayer(block).getParam(grn).toFloatVector(), moved.toFloatVector(), 0f, grn + " not decayed");
        }
        float[] decayedFc = decayed.getLayer(block).getParam(ConvNeXtBlock.FC1_WEIGHT).dup().reshape(-1).toFloatVector();
        float[] plainFc = plain.getLayer(block).getParam(ConvNeXtBlock.FC1_WEIGHT).dup().reshape(-1).toFloatVector();
        assertFalse(java.util.Arrays.equals(decayedFc, plainFc), "the Linear weights are decayed");
    }

    /** EMA, drop path, layer decay by blocks, accumulation: a V2 run stopped mid-epoch resumes to the same weights, and exports. */
    @Test
    void aV2RunStopsResumesAndExports() throws IOException {
        Path data = ImageFolders.learnable(dir.resolve("data"), List.of("red", "green", "blue"), 6, 2);
        TrainingRun full = TrainingRun.prepare(RecipeLoader.parse("test", yaml(data, "full"), List.of()), null);
        new Trainer(full).train();
        full.close();

        TrainingRun first = TrainingRun.prepare(RecipeLoader.parse("test", yaml(data, "stopped"), List.of()), null);
        Trainer trainer = new Trainer(first);
        trainer.afterBatch(done -> {
            if (done.state().epoch() == 1 && done.state().batchesDone() == 2) {
                trainer.requestStop();
            }
        });
        trainer.train();
        first.close();
        TrainingRun second = TrainingRun.prepare(RecipeLoader.parse("test", yaml(data, "stopped"), List.of()), "auto");
        new Trainer(second).train();
        second.close();
        assertArrayEquals(full.graph().params().toFloatVector(), second.graph().params().toFloatVector(), 1e-6f);
        assertArrayEquals(full.ema().weights().toFloatVector(), second.ema().weights().toFloatVector(), 1e-6f);

        CheckpointStore.Loaded best = CheckpointStore.load(dir.resolve("full/checkpoints/best"));
        assertTrue(best.info().config().grn());
        Map<String, INDArray> timm = ConvNeXtWeights.export(best.graph(), best.info().config(), WeightNaming.TIMM);
        assertEquals("[32]", java.util.Arrays.toString(timm.get("stages.0.blocks.0.mlp.grn.weight").shape()));
        Map<String, INDArray> official = ConvNeXtWeights.export(best.graph(), best.info().config(), WeightNaming.OFFICIAL);
        assertEquals("[1, 1, 1, 32]", java.util.Arrays.toString(official.get("stages.0.0.grn.gamma").shape()));
    }

    private static ComputationGraph network(ConvNeXtConfig config, double weightDecay) {
        AdamW adamW = new AdamW(1e-2, 1e-5, 0, 10, 0.9, 0.999, 1e-8, weightDecay, weightDecay, 1.0, LayerDecay.Scheme.GROUP, 0);
        ComputationGraph graph = new ComputationGraph(ConvNeXtGraph.configuration(config, 32, 3, DataType.FLOAT, adamW.perLayer(config)));
        graph.init();
        return graph;
    }

    private static String yaml(Path data, String output) {
        return """
                model: {variant: convnextv2_test, image_size: 32, drop_path_rate: 0.1}
                data: {root: %s, batch_size: 4, workers: 2}
                augment: {mixup: 0.8, cutmix: 1.0, label_smoothing: 0.1}
                optimizer: {lr: 1.0e-3, weight_decay: 0.05, layer_decay: 0.8, layer_decay_type: single}
                schedule: {epochs: 2, warmup_epochs: 1, min_lr: 1.0e-5}
                training: {update_freq: 2, ema: true, ema_decay: 0.9, seed: 7, save_every: 1, keep_last: 5, log_every: 2}
                output: {dir: %s}
                """.formatted(data, dir.resolve(output));
    }
}
