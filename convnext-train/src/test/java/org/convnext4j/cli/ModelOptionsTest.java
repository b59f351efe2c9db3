package org.convnext4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/** {@code --model}, {@code --ema} and {@code --batch} are declared once and mean the same in eval, export and predict. */
class ModelOptionsTest {

    @Test
    void evalExportAndPredictShareTheModelOptions() {
        for (Object command : new Object[] {new EvalCommand(), new ExportCommand(), new PredictCommand()}) {
            CommandLine cli = new CommandLine(command);
            assertTrue(cli.getCommandSpec().findOption("--model").required(), cli.getCommandName());
            assertTrue(cli.getCommandSpec().findOption("--ema") != null, cli.getCommandName() + " takes --ema");
        }
        CommandLine predict = new CommandLine(new PredictCommand());
        predict.parseArgs("--model", "runs/x/checkpoints/best", "--ema", "--images", "photos");
        assertEquals(Path.of("runs/x/checkpoints/best"), predict.getCommandSpec().findOption("--model").getValue());
        assertEquals(Boolean.TRUE, predict.getCommandSpec().findOption("--ema").getValue());
    }

    /** Each command keeps its own default batch, and says it in its help. */
    @Test
    void batchDefaultsAreEachCommandsOwn() {
        CommandLine eval = new CommandLine(new EvalCommand());
        eval.parseArgs("--model", "m.zip", "--data", "d");
        assertEquals(64, (int) eval.getCommandSpec().findOption("--batch").getValue());
        assertTrue(eval.getUsageMessage().contains("images per forward pass (default 64)"), eval.getUsageMessage());
        CommandLine predict = new CommandLine(new PredictCommand());
        predict.parseArgs("--model", "m.zip", "--images", "i");
        assertEquals(16, (int) predict.getCommandSpec().findOption("--batch").getValue());
        assertTrue(predict.getUsageMessage().contains("images per forward pass (default 16)"), predict.getUsageMessage());
    }

    @Test
    void aBatchBelowOneIsRefused() {
        BatchOptions batch = new BatchOptions(16);
        new CommandLine(new Object() {
            @CommandLine.Mixin
            final BatchOptions options = batch;
        }).parseArgs("--batch", "0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, batch::size);
        assertEquals("--batch must be >= 1, got 0", e.getMessage());
    }

    @Test
    void predictRefusesEmaForPyTorchWeights(@TempDir Path dir) throws IOException {
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", dir.resolve("a.png").toFile());
        CliRun run = CliRun.of("predict", "--model", "weights.safetensors", "--ema", "--variant", "convnext_test",
                "--images", dir.toString());
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.errors().contains("--ema needs a checkpoint folder, got the PyTorch weights weights.safetensors"), run.err());
    }
}
