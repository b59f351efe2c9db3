package org.convnext4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.convnext4j.model.io.ModelFile;
import org.convnext4j.model.io.ModelInfo;
import org.convnext4j.train.loop.CheckpointStore;
import org.deeplearning4j.nn.graph.ComputationGraph;

/** What {@code --model} names: our model file, or a training checkpoint folder (optionally its EMA weights). */
record ModelSource(ComputationGraph graph, ModelInfo info) {

    static ModelSource open(Path path, boolean ema) throws IOException {
        if (Files.isDirectory(path)) {
            CheckpointStore.Loaded checkpoint = CheckpointStore.load(path);
            if (ema) {
                if (checkpoint.emaWeights() == null) {
                    throw new IllegalArgumentException(path + ": this checkpoint has no EMA weights (the run had training.ema off)");
                }
                checkpoint.graph().params().assign(checkpoint.emaWeights());
            }
            return new ModelSource(checkpoint.graph(), checkpoint.info());
        }
        if (ema) {
            throw new IllegalArgumentException("--ema needs a checkpoint folder, got the model file " + path);
        }
        ModelFile.Loaded loaded = ModelFile.load(path, false);
        return new ModelSource(loaded.graph(), loaded.info());
    }
}
