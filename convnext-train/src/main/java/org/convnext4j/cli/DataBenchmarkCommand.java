package org.convnext4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

import org.convnext4j.data.EvalTransform;
import org.convnext4j.data.SampleTransform;
import org.convnext4j.data.augment.TrainTransform;
import org.convnext4j.data.ImageFolder;
import org.convnext4j.data.ImageFolderIterator;
import org.convnext4j.data.LoaderConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = "Time the data pipeline alone (decode, eval transform, batching) over a split: images/s per epoch."
                + " Compare with docs/bench/torchvision_data_bench.py.")
final class DataBenchmarkCommand extends ConvNeXtCommand {

    @Option(names = "--root", required = true, description = "the data root, holding <split>/<class>/<image>")
    private Path root;

    @Option(names = "--split", defaultValue = "train", description = "split folder under the root (default ${DEFAULT-VALUE})")
    private String split;

    @Option(names = "--image-size", defaultValue = "224", description = "side of the square batches (default ${DEFAULT-VALUE})")
    private int imageSize;

    @Option(names = "--crop-pct", defaultValue = "0.875", description = "the eval transform's crop fraction (default ${DEFAULT-VALUE})")
    private double cropPct;

    @Option(names = "--workers", defaultValue = "2", description = "decoding threads (default ${DEFAULT-VALUE})")
    private int workers;

    @Option(names = "--batch", defaultValue = "64", description = "images per batch (default ${DEFAULT-VALUE})")
    private int batch;

    @Option(names = "--epochs", defaultValue = "2",
            description = "passes over the split; the first includes JIT warm-up (default ${DEFAULT-VALUE})")
    private int epochs;

    @Option(names = "--train-transform",
            description = "time the ConvNeXt training transform (crop, flip, RandAugment m9, erasing) instead of the eval one")
    private boolean trainTransform;

    @Override
    protected void execute() throws IOException {
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        }
        ImageFolder folder = ImageFolder.scan(root, split, ImageFolder.Subset.ALL);
        SampleTransform transform = trainTransform ? TrainTransform.convnextRecipe(imageSize) : new EvalTransform(imageSize, cropPct);
        // Shuffled like a training loader, so files are not read in directory order.
        LoaderConfig config = new LoaderConfig(batch, workers, 2 * workers, true, false, true, 0, 0, 1);
        System.out.printf(Locale.ROOT, "%s: %d images, %d classes; %s transform at %d px, batch %d,"
                        + " %d workers, %d cores visible%n",
                folder.directory(), folder.size(), folder.numClasses(), trainTransform ? "train" : "eval (crop " + cropPct + ")",
                imageSize, batch, workers,
                Runtime.getRuntime().availableProcessors());
        try (ImageFolderIterator batches = new ImageFolderIterator(folder, transform, config)) {
            for (int epoch = 0; epoch < epochs; epoch++) {
                batches.setEpoch(epoch);
                long start = System.nanoTime();
                long images = 0;
                while (batches.hasNext()) {
                    images += batches.next().numExamples();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf(Locale.ROOT, "epoch %d: %d images in %d batches, %.2f s, %.1f images/s, %d skipped%n",
                        epoch, images, batches.numBatches(), seconds, images / seconds, batches.skippedInEpoch());
            }
        }
    }
}
