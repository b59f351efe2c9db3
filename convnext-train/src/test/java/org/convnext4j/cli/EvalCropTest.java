package org.convnext4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtVariants;
import org.convnext4j.model.io.ModelInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which crop eval and predict take: the option, else the checkpoint's recipe, else the model file's, else timm's. */
class EvalCropTest {

    private static final ConvNeXtConfig CONFIG = ConvNeXtVariants.get(ConvNeXtVariants.TEST).withNumClasses(2);
    private static final ModelInfo UNRECORDED = new ModelInfo(ConvNeXtVariants.TEST, CONFIG, 32, List.of("a", "b"));

    @TempDir
    Path dir;

    @Test
    void theOptionWinsThenTheRecipeThenTheModelFileThenTimmsDefault() throws IOException {
        Path checkpoint = Files.createDirectories(dir.resolve("checkpoint"));
        Files.writeString(checkpoint.resolve("recipe.yaml"), """
                model: {variant: convnext_test, image_size: 32}
                data: {root: data}
                augment: {eval_crop_pct: 0.95}
                """);
        Path modelFile = dir.resolve("model.zip");
        ModelInfo recorded = UNRECORDED.withEvalCropPct(1.0);

        assertEquals(new EvalCrop(0.9, "from --crop-pct"), EvalCrop.choose(0.9, checkpoint, recorded));
        assertEquals(new EvalCrop(0.95, "from " + checkpoint.resolve("recipe.yaml") + " (augment.eval_crop_pct)"),
                EvalCrop.choose(null, checkpoint, recorded));
        assertEquals(new EvalCrop(1.0, "from the model file"), EvalCrop.choose(null, modelFile, recorded));
        assertEquals(new EvalCrop(0.875, "timm's default: the model records none"), EvalCrop.choose(null, modelFile, UNRECORDED));
        assertEquals("eval crop 0.875, timm's default: the model records none", EvalCrop.choose(null, modelFile, UNRECORDED).line());
    }

    @Test
    void aCropThatCannotBeMeantIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvalCrop.choose(1.5, dir, UNRECORDED));
        assertEquals("--crop-pct must be in (0, 1], got 1.5", e.getMessage());
    }
}
