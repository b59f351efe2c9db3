package org.convnext4j.train.loop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.convnext4j.data.EvalTransform;
import org.convnext4j.data.ImageFolder;
import org.convnext4j.data.ImageFolderIterator;
import org.convnext4j.data.LoaderConfig;
import org.convnext4j.data.MixupCutmix;
import org.convnext4j.data.augment.TrainTransform;
import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.ConvNeXtVariants;
import org.convnext4j.model.io.ModelFile;
import org.convnext4j.model.io.ModelInfo;
import org.convnext4j.model.optim.AdamW;
import org.convnext4j.model.weights.ConvNeXtWeights;
import org.convnext4j.model.weights.PyTorchCheckpoint;
import org.convnext4j.model.weights.WeightFiles;
import org.convnext4j.train.config.Recipe;
import org.convnext4j.train.config.RecipeChanges;
import org.convnext4j.train.config.RecipeLoader;
import org.convnext4j.train.optim.OptimizerSetup;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a {@link Trainer} works on, assembled from a recipe: the data, the network (fresh,
 * from pretrained weights, or resumed from a checkpoint) and the optimizer configured into it, EMA, the
 * state so far and where it all goes.
 */
public record TrainingRun(Recipe recipe, String recipeYaml, Path outputDir, CheckpointStore store, ComputationGraph graph,
                          AdamW optimizer, ModelInfo info, ImageFolderIterator train, ImageFolderIterator val, Ema ema, TrainState state,
                          MixupCutmix.Settings mixing) implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

    /**
     * @param resume null for a fresh run, {@code auto} for the newest checkpoint in the output folder
     *               (a fresh run when there is none), or a checkpoint folder
     */
    public static TrainingRun prepare(Recipe recipe, String resume) throws IOException {
        Path outputDir = Path.of(recipe.output().dir());
        requireOwnFolder(outputDir, resume);
        Files.createDirectories(outputDir);
        CheckpointStore store = new CheckpointStore(outputDir);
        Recipe.Data d = recipe.data();
        long seed = recipe.training().seed();
        ImageFolder.Subset subset = new ImageFolder.Subset(d.perClassLimit() == null ? Integer.MAX_VALUE : d.perClassLimit(),
                d.fraction(), seed);
        ImageFolder trainFolder = ImageFolder.scan(Path.of(d.root()), d.trainSplit(), subset);
        ImageFolder valFolder = ImageFolder.scan(Path.of(d.root()), d.valSplit(), ImageFolder.Subset.ALL);
        trainFolder.requireSameClasses(valFolder);
        int imageSize = recipe.model().imageSize();
        ImageFolderIterator train = new ImageFolderIterator(trainFolder, trainTransform(recipe.augment(), imageSize),
                LoaderConfig.training(d.batchSize(), d.workers(), seed));
        ImageFolderIterator val = new ImageFolderIterator(valFolder, new EvalTransform(imageSize, recipe.augment().evalCropPct()),
                LoaderConfig.evaluation(d.batchSize(), d.workers()));
        if (train.numBatches() == 0) {
            throw new IllegalArgumentException("data.batch_size is " + d.batchSize() + " but " + d.root() + "/" + d.trainSplit()
                    + " has " + trainFolder.size() + " training images: not one whole batch");
        }
        long stepsPerEpoch = stepsPerEpoch(train.numBatches(), recipe.training().updateFreq());
        AdamW optimizer = OptimizerSetup.adamW(recipe.optimizer(), recipe.schedule(), stepsPerEpoch, recipe.model().freezeStages());

        store.recover();   // what a killed save left, before the newest checkpoint is looked for
        Path checkpoint = resolveResume(resume, store);
        ComputationGraph graph;
        ModelInfo info;
        Ema ema = null;
        TrainState state;
        if (checkpoint != null) {
            RecipeChanges changes = RecipeChanges.between(RecipeLoader.load(checkpoint.resolve("recipe.yaml"), List.of()), recipe,
                    checkpoint.toString());
            CheckpointStore.Loaded loaded = CheckpointStore.load(checkpoint);
            info = loaded.info().withEvalCropPct(recipe.augment().evalCropPct());   // augment.* may change on resume
            if (!info.classNames().equals(trainFolder.classes())) {
                throw new IllegalArgumentException(checkpoint + ": trained on classes " + info.classNames()
                        + ", but " + d.root() + " has " + trainFolder.classes());
            }
            // The optimizer and its schedule come from this recipe, not from the saved graph: the saved
            // weights and Adam moments go into a network configured afresh (same architecture, same layout).
            graph = newGraph(info.config(), optimizer, recipe, imageSize);
            graph.params().assign(loaded.graph().params());
            graph.getUpdater().getStateViewArray().assign(loaded.graph().getUpdater().getStateViewArray());
            if (!changes.changed().isEmpty()) {
                LOG.info("resuming with recipe changes, applied: {}", String.join(", ", changes.changed()));
            }
            if (recipe.training().ema()) {
                ema = loaded.emaWeights() == null ? Ema.of(graph, recipe.training().emaDecay())
                        : Ema.restore(loaded.emaWeights(), recipe.training().emaDecay());
            }
            state = loaded.state();
            LOG.info("resuming from {} (epoch {}, batch {}, step {})", checkpoint, state.epoch(), state.batchesDone(), state.step());
        } else {
            int classes = trainFolder.classes().size();
            if (recipe.model().numClasses() != null && recipe.model().numClasses() != classes) {
                throw new IllegalArgumentException("model.num_classes is " + recipe.model().numClasses() + " but "
                        + d.root() + "/" + d.trainSplit() + " has " + classes + " classes");
            }
            Recipe.Model m = recipe.model();
            ConvNeXtConfig variant = ConvNeXtVariants.get(m.variant());
            if (variant.grn() && m.layerScaleInit() != null && m.layerScaleInit() != 0) {
                throw new IllegalArgumentException("model.layer_scale_init is " + m.layerScaleInit() + " but " + m.variant()
                        + " is ConvNeXt V2, whose blocks have no layer scale; leave the key out");
            }
            ConvNeXtConfig config = variant.withNumClasses(classes).withDropPathRate(m.dropPathRate())
                    .withLayerScaleInit(m.layerScaleInit() == null ? variant.layerScaleInit() : m.layerScaleInit())
                    .withHeadInitScale(m.headInitScale());
            graph = newGraph(config, optimizer, recipe, imageSize);
            if (m.pretrained() != null) {
                loadPretrained(graph, config, Path.of(m.pretrained()));
            }
            info = new ModelInfo(m.variant(), config, imageSize, trainFolder.classes()).withEvalCropPct(recipe.augment().evalCropPct());
            ema = recipe.training().ema() ? Ema.of(graph, recipe.training().emaDecay()) : null;
            state = TrainState.start();
        }
        MixupCutmix.Settings mixing = new MixupCutmix.Settings(recipe.augment().mixup(), recipe.augment().cutmix(), 1.0,
                recipe.augment().mixupSwitchProb(), recipe.augment().labelSmoothing());
        String yaml = RecipeLoader.toYaml(recipe);
        Files.writeString(outputDir.resolve("recipe.yaml"), yaml);
        return new TrainingRun(recipe, yaml, outputDir, store, graph, optimizer, info, train, val, ema, state, mixing);
    }

    /** Stops the data loaders' decoding threads. */
    @Override
    public void close() {
        train.close();
        val.close();
    }

    /** Optimizer steps in one epoch: one per {@code update_freq} batches, the last one over what is left. */
    public long stepsPerEpoch() {
        return stepsPerEpoch(train.numBatches(), recipe.training().updateFreq());
    }

    private static long stepsPerEpoch(int batches, int updateFreq) {
        return Math.max(1, (batches + updateFreq - 1) / updateFreq);
    }

    /**
     * A fresh run ({@code resume} null) refuses a folder that holds another run's files (its
     * checkpoints or its metrics), so that it never overwrites, appends to or prunes them.
     */
    public static void requireOwnFolder(Path outputDir, String resume) throws IOException {
        if (resume != null) {
            return;
        }
        if (new CheckpointStore(outputDir).holdsAny() || Files.exists(outputDir.resolve(MetricsLog.FILE))) {
            throw new IllegalArgumentException(outputDir + " holds another run; continue it with --resume auto,"
                    + " or train into another --output");
        }
    }

    /** A network of this architecture, initialised from the recipe's seed, trained by {@code optimizer}. */
    private static ComputationGraph newGraph(ConvNeXtConfig config, AdamW optimizer, Recipe recipe, int imageSize) {
        ComputationGraph graph = new ComputationGraph(ConvNeXtGraph.configuration(config, imageSize, recipe.training().seed(),
                DataType.FLOAT, optimizer.perLayer(config)));
        graph.init();
        return graph;
    }

    static TrainTransform trainTransform(Recipe.Augment a, int imageSize) {
        return new TrainTransform(imageSize, a.scale().get(0), a.scale().get(1), a.ratio().get(0), a.ratio().get(1), a.hflip(),
                a.randAugment(), a.colorJitter(), a.reprob(), org.convnext4j.data.Normalization.IMAGENET);
    }

    private static Path resolveResume(String resume, CheckpointStore store) throws IOException {
        if (resume == null) {
            return null;
        }
        if (resume.equals("auto")) {
            return store.latest().orElse(null);
        }
        Path path = Path.of(resume);
        if (!Files.isDirectory(path)) {
            throw new NoSuchFileException(resume + ": no such checkpoint folder (use --resume auto for the newest one)");
        }
        return path;
    }

    /**
     * Our model file, or PyTorch weights (.safetensors, or a .pth/.pt/.bin checkpoint, its state dict
     * found inside the usual wrappers); the head is replaced when the class count differs.
     */
    private static void loadPretrained(ComputationGraph graph, ConvNeXtConfig config, Path file) throws IOException {
        if (WeightFiles.isWeightFile(file)) {
            PyTorchCheckpoint.Selected selected = WeightFiles.read(file, null);
            ConvNeXtWeights.Head head = ConvNeXtWeights.load(graph, config, selected.tensors(), true);
            LOG.info("initialised from {}: {}{}", file, selected.description(), switch (head) {
                case LOADED -> "";
                case NEW_CLASSIFIER -> "; a new classifier for " + config.numClasses() + " classes";
                case NEW_NORM_AND_CLASSIFIER -> "; the weights have no head (pre-training weights): a new final norm and classifier";
            });
        } else {
            ModelFile.Loaded source = ModelFile.load(file, false);
            Map<String, INDArray> tensors = ConvNeXtWeights.export(source.graph(), source.info().config(),
                    org.convnext4j.model.weights.WeightNaming.OFFICIAL);
            ConvNeXtWeights.load(graph, config, tensors, true);
            LOG.info("initialised from {}", file);
        }
    }
}
