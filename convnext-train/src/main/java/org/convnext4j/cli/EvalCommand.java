package org.convnext4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.convnext4j.data.EvalTransform;
import org.convnext4j.data.ImageFolder;
import org.convnext4j.data.ImageFolderIterator;
import org.convnext4j.data.LoaderConfig;
import org.convnext4j.train.loop.SplitEvaluation;
import org.deeplearning4j.nn.graph.ComputationGraph;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model on an image folder split: top-1, top-5, loss, per-class accuracy, confusion matrix.")
final class EvalCommand extends ConvNeXtCommand {

    @Mixin
    private ModelOptions model;

    @Option(names = "--data", required = true, description = "folder with <split>/<class>/ images")
    private Path data;

    @Option(names = "--split", defaultValue = "val", description = "split folder (default ${DEFAULT-VALUE})")
    private String split;

    @Option(names = "--crop-pct", description = "eval crop fraction (default: the model's, from its recipe or model file; else "
            + EvalTransform.DEFAULT_CROP_PCT + ")")
    private Double cropPct;

    @Mixin
    private BatchOptions batch = new BatchOptions(64);

    @Option(names = "--workers", defaultValue = "2", description = "decoding threads (default ${DEFAULT-VALUE})")
    private int workers;

    @Option(names = "--output", description = "also write the full result as JSON here")
    private Path output;

    @Mixin
    private ProgressOptions progress;

    @Override
    protected void execute() throws IOException {
        ModelSource source = model.open();
        ComputationGraph graph = source.graph();
        ImageFolder folder = ImageFolder.scan(data, split, ImageFolder.Subset.ALL);
        if (!folder.classes().equals(source.info().classNames())) {
            throw new IllegalArgumentException(data.resolve(split) + ": classes " + folder.classes()
                    + " differ from the model's " + source.info().classNames());
        }
        SplitEvaluation result;
        List<String> skipped;
        double crop = EvalCrop.logged(cropPct, model.path, source.info());
        try (ImageFolderIterator it = new ImageFolderIterator(folder, new EvalTransform(source.info().imageSize(), crop),
                LoaderConfig.evaluation(batch.size(), workers))) {
            ImageProgress evaluated = progress.start("evaluated", folder.size());
            result = SplitEvaluation.run(graph, it, folder.classes(), () -> false, evaluated::add);
            skipped = it.unreadableFiles().stream().map(Path::toString).sorted().toList();
        }
        System.out.printf(Locale.ROOT, "%s on %s: %d images%s, top-1 %.2f%%, top-5 %.2f%%, loss %.4f%n", model.path,
                data.resolve(split), result.samples(), skipped.isEmpty() ? "" : " (" + skipped.size() + " unreadable, left out)",
                100 * result.top1(), 100 * result.top5(), result.loss());
        for (int c = 0; c < folder.classes().size(); c++) {
            System.out.printf(Locale.ROOT, "  %-20s %.2f%%%n", folder.classes().get(c), 100 * result.perClassAccuracy()[c]);
        }
        if (output != null) {
            ObjectNode json = result.toJson();
            json.put("skipped_count", skipped.size());
            skipped.forEach(json.putArray("skipped")::add);
            Files.writeString(output, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
        }
    }
}
