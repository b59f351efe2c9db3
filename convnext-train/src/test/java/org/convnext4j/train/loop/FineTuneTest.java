package org.convnext4j.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.convnext4j.model.Vertex;
import org.convnext4j.testsupport.ImageFolders;
import org.convnext4j.train.config.RecipeLoader;
import org.convnext4j.train.optim.OptimizerSetup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A model trained on one set of classes starts a run on another folder: same backbone, new head. */
class FineTuneTest {

    @TempDir
    Path dir;

    @Test
    void pretrainedBackboneWithANewHead() throws IOException {
        Path first = ImageFolders.learnable(dir.resolve("abc"), List.of("a", "b", "c"), 4, 1);
        Path second = ImageFolders.learnable(dir.resolve("xy"), List.of("x", "y"), 4, 1);
        TrainingRun pretraining = TrainingRun.prepare(RecipeLoader.parse("t", yaml(first, dir.resolve("pre"), null), List.of()), null);
        new Trainer(pretraining).train();
        pretraining.close();
        Path pretrained = dir.resolve("pre/checkpoints/best/model.zip");

        TrainingRun finetune = TrainingRun.prepare(RecipeLoader.parse("t", yaml(second, dir.resolve("ft"), pretrained), List.of()), null);
        Map<String, INDArray> before = pretraining.graph().paramTable();
        Map<String, INDArray> after = finetune.graph().paramTable();
        assertEquals(List.of("x", "y"), finetune.info().classNames());
        for (Map.Entry<String, INDArray> e : before.entrySet()) {
            if (e.getKey().startsWith(Vertex.HEAD.name() + "_fc")) {
                assertNotEquals(List.of(e.getValue().shape()), List.of(after.get(e.getKey()).shape()));
            } else {
                assertEquals(e.getValue(), after.get(e.getKey()), e.getKey() + " carried over");
            }
        }
        Map<String, INDArray> start = new java.util.HashMap<>();
        after.forEach((k, v) -> start.put(k, v.dup()));
        new Trainer(finetune).train();
        finetune.close();
        assertEquals(2, finetune.graph().getParam(Vertex.HEAD.name() + "_fcB").length());
        // freeze_stages 2: the stem and stages 0 and 1 (with stage 1's downsampling) keep their weights
        long trainable = 0;
        for (Map.Entry<String, INDArray> e : finetune.graph().paramTable().entrySet()) {
            String key = e.getKey();
            boolean frozen = key.startsWith("stem_") || key.startsWith("s0.") || key.startsWith("s1.");
            if (frozen) {
                assertEquals(start.get(key), e.getValue(), key + " is frozen");
            } else {
                trainable += e.getValue().length();
                if (key.endsWith("W")) {
                    assertNotEquals(start.get(key), e.getValue(), key + " trains");
                }
            }
        }
        assertEquals(trainable, OptimizerSetup.trainableParams(finetune.graph(), finetune.info().config(), 2));
        assertTrue(trainable < finetune.graph().numParams());
    }

    @Test
    void pyTorchWeightsFineTuneOntoANewFolder() throws IOException {
        Path data = ImageFolders.learnable(dir.resolve("xy"), List.of("x", "y"), 4, 1);
        Path weights = Path.of("../convnext-model/src/test/resources/fixtures/convnext_test_timm.safetensors");
        TrainingRun run = TrainingRun.prepare(RecipeLoader.parse("t", yaml(data, dir.resolve("pt"), weights), List.of()), null);
        Map<String, INDArray> fixture = org.convnext4j.model.weights.SafeTensors.read(weights);
        // timm's stem conv is (out, in, kh, kw); ours (kh, kw, in, out)
        assertEquals(fixture.get("stem.0.weight").permute(2, 3, 1, 0), run.graph().getParam("stem_convW"));
        assertEquals(2, run.graph().getParam(Vertex.HEAD.name() + "_fcB").length());
        new Trainer(run).train();
        run.close();
        assertTrue(java.nio.file.Files.isDirectory(dir.resolve("pt/checkpoints/best")));
    }

    /** model.pretrained takes a PyTorch checkpoint too (torchvision's bare state dict, as published). */
    @Test
    void aPyTorchCheckpointIsAPretrainedModel() throws IOException {
        Path data = ImageFolders.learnable(dir.resolve("pth-data"), List.of("x", "y"), 4, 1);
        Path checkpoint = Path.of("../convnext-model/src/test/resources/pth-fixtures/torchvision_state_dict.pth");
        TrainingRun run = TrainingRun.prepare(RecipeLoader.parse("t", yaml(data, dir.resolve("pth"), checkpoint), List.of()), null);
        Map<String, INDArray> fixture = org.convnext4j.model.weights.SafeTensors.read(
                Path.of("../convnext-model/src/test/resources/fixtures/convnext_test_torchvision.safetensors"));
        assertEquals(fixture.get("features.0.0.weight").permute(2, 3, 1, 0), run.graph().getParam("stem_convW"));
        run.close();
    }

    private static String yaml(Path data, Path output, Path pretrained) {
        return """
                model: {variant: convnext_test, image_size: 32, head_init_scale: 0.001, layer_scale_init: 0.5%s}
                data: {root: %s, batch_size: 4, workers: 1}
                augment: {rand_augment: "", mixup: 0.0, cutmix: 0.0}
                optimizer: {lr: 1.0e-3, layer_decay: 0.8}
                schedule: {epochs: 1, warmup_epochs: 0, min_lr: 1.0e-5}
                output: {dir: %s}
                """.formatted(pretrained == null ? "" : ", freeze_stages: 2, pretrained: " + pretrained, data, output);
    }
}
