package org.convnext4j.train.loop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import org.convnext4j.data.ImageFolderIterator;
import org.convnext4j.data.MixupCutmix;
import org.convnext4j.data.Seeds;
import org.convnext4j.model.io.ModelInfo;
import org.convnext4j.train.config.Recipe;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop, top to bottom: for each epoch, micro-batches accumulate gradients until
 * {@code update_freq} of them make one AdamW step; EMA follows each step; at the end of an epoch
 * the raw (and EMA) weights are evaluated, metrics appended and a checkpoint written.
 *
 * <p>Every random draw is derived from (seed, epoch, batch): the data order and augmentation in the
 * iterator, mixup/cutmix and ND4J's generator (drop path) here. A run resumed from a checkpoint
 * therefore continues exactly as the uninterrupted run would have.
 */
public final class Trainer {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final TrainingRun run;
    private final ComputationGraph graph;
    private final ImageFolderIterator train;
    private final ImageFolderIterator val;
    private final Ema ema;
    private final GradientStep gradientStep;
    private final MetricsLog metrics;
    private TrainState state;
    private volatile boolean stopRequested;
    private Consumer<BatchDone> afterBatch = done -> { };

    public Trainer(TrainingRun run) {
        this.run = run;
        this.graph = run.graph();
        this.train = run.train();
        this.val = run.val();
        this.ema = run.ema();
        this.state = run.state();
        this.gradientStep = new GradientStep(graph, run.recipe().optimizer().clipGrad());
        this.metrics = new MetricsLog(run.outputDir());
    }

    /** What an {@link #afterBatch} listener hears after each micro-batch: the state reached and the batch's loss. */
    public record BatchDone(TrainState state, double loss) {
    }

    /** Called after every micro-batch; a hook for progress displays and tests. */
    public void afterBatch(Consumer<BatchDone> listener) {
        this.afterBatch = listener;
    }

    /** Ends the run at the next optimizer-step boundary, after saving a checkpoint there. */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Trains to the recipe's last epoch, or until {@link #requestStop()}, which saves a checkpoint first.
     * The graph's DL4J {@link TrainingListener}s hear what {@code fit} would tell them: epoch start and end,
     * each optimizer step's final gradient and its completion (forward and backward passes per micro-batch).
     */
    public TrainState train() throws IOException {
        Recipe recipe = run.recipe();
        int updateFreq = recipe.training().updateFreq();
        ProgressClock clock = new ProgressClock(recipe.schedule().epochs(), train.numBatches(), recipe.data().batchSize());
        for (int epoch = state.epoch(); epoch < recipe.schedule().epochs(); epoch++) {
            long started = System.nanoTime();
            clock.startEpoch(epoch, started);
            graph.getConfiguration().setEpochCount(epoch);
            for (TrainingListener listener : graph.getListeners()) {
                listener.onEpochStart(graph);
            }
            train.setEpoch(epoch);
            train.skipTo(state.batchesDone());
            double lossSum = 0;
            int lossCount = 0;
            TrainState lastStep = state;   // where the last optimizer step left the run
            while (train.hasNext()) {
                if (stopRequested) {
                    // The weights have not changed since the last optimizer step: save that step. A partial
                    // gradient sum is not part of a checkpoint; its micro-batches run again on resume.
                    gradientStep.discard();
                    state = lastStep;
                    save(CheckpointStore.name(state));
                    LOG.info("stopped at epoch {} batch {}; checkpoint saved", epoch, state.batchesDone());
                    return state;
                }
                int batchIndex = train.batchIndex();
                long waitStarted = System.nanoTime();
                DataSet batch = train.next();
                long waited = System.nanoTime() - waitStarted;
                graph.setLastEtlTime(waited / 1_000_000);   // PerformanceListener's "ETL"
                double loss = microBatch(batch, epoch, batchIndex);
                if (!Double.isFinite(loss)) {
                    throw new NonFiniteLossException(String.format(Locale.ROOT,
                            "loss is %s at epoch %d batch %d (step %d); stopping. The last good checkpoint is in %s",
                            loss, epoch, batchIndex, state.step(), run.store().latest().map(Path::toString).orElse("(none yet)")));
                }
                lossSum += loss;
                lossCount++;
                long step = state.step();
                if (gradientStep.pending() == updateFreq || !train.hasNext()) {
                    gradientStep.apply(step, epoch);
                    if (ema != null) {
                        ema.update(graph);
                    }
                    for (TrainingListener listener : graph.getListeners()) {
                        listener.iterationDone(graph, (int) step, epoch);
                    }
                    step++;
                }
                state = state.advance(batchIndex + 1, step);
                if (gradientStep.pending() == 0) {
                    lastStep = state;
                }
                clock.batchDone(waited);
                afterBatch.accept(new BatchDone(state, loss));
                if (lossCount % recipe.training().logEvery() == 0) {
                    TrainProgress progress = clock.lap(batchIndex + 1, System.nanoTime());
                    double runningLoss = lossSum / lossCount;
                    double lr = learningRate();
                    LOG.info(progress.line(loss, runningLoss, lr));
                    int epochIndex = epoch;
                    long stepsDone = state.step();
                    recordMetrics("steps.jsonl", () -> metrics.appendStep(epochIndex, progress.batch(), stepsDone, runningLoss, lr,
                            progress.imagesPerSecond(), progress.dataWait()));
                }
            }
            long ended = System.nanoTime();
            for (TrainingListener listener : graph.getListeners()) {
                listener.onEpochEnd(graph);
            }
            if (!endEpoch(epoch, lossCount == 0 ? Double.NaN : lossSum / lossCount, lossCount, (ended - started) / 1e9)) {
                return state;
            }
            clock.epochEnded(System.nanoTime() - ended);
        }
        return state;
    }

    private double microBatch(DataSet batch, int epoch, int batchIndex) {
        long seed = run.recipe().training().seed();
        Nd4j.getRandom().setSeed(Seeds.mix(seed, epoch, batchIndex, 1));
        // mixup/cutmix and label smoothing; with both alphas 0 only the smoothing
        DataSet mixed = new MixupCutmix(run.mixing(), Seeds.generator(seed, epoch, batchIndex, 2)).apply(batch);
        return gradientStep.accumulate(mixed);
    }

    /**
     * Evaluates, records and saves the epoch; false when a stop was requested meanwhile: the evaluation
     * is cut short and the epoch's end saved without it, so that a stop takes seconds, not an evaluation.
     */
    private boolean endEpoch(int epoch, double trainLoss, int batches, double seconds) throws IOException {
        List<String> classes = run.info().classNames();
        SplitEvaluation raw;
        SplitEvaluation averaged;
        long evaluationStarted = System.nanoTime();
        try {
            raw = SplitEvaluation.run(graph, val, classes, () -> stopRequested);
            averaged = ema == null ? null
                    : ema.withAveragedWeights(graph, () -> SplitEvaluation.run(graph, val, classes, () -> stopRequested));
        } catch (SplitEvaluation.Stopped stopped) {
            state = state.nextEpoch();
            save(CheckpointStore.name(state));
            LOG.info("stopped during the evaluation of epoch {}; checkpoint saved (without that evaluation)", epoch + 1);
            return false;
        }
        double evaluationSeconds = (System.nanoTime() - evaluationStarted) / 1e9;
        state = state.withBest(raw.top1(), averaged == null ? -1 : averaged.top1());
        double imagesPerSecond = batches * (double) run.recipe().data().batchSize() / seconds;
        int remaining = run.recipe().schedule().epochs() - epoch - 1;
        LOG.info(String.format(Locale.ROOT,
                "epoch %d/%d  %.0f img/s  %.0fs  ETA %s  train loss %.4f  lr %.3g  val top-1 %.2f%% top-5 %.2f%% loss %.4f%s%s",
                epoch + 1, run.recipe().schedule().epochs(), imagesPerSecond, seconds,
                Durations.format(remaining * (seconds + evaluationSeconds)),
                trainLoss, learningRate(), 100 * raw.top1(), 100 * raw.top5(), raw.loss(),
                averaged == null ? "" : String.format(Locale.ROOT, "  EMA top-1 %.2f%%", 100 * averaged.top1()),
                train.skippedInEpoch() == 0 ? "" : "  (" + train.skippedInEpoch() + " unreadable images skipped)"));
        long step = state.step();
        state = state.nextEpoch();
        boolean last = epoch + 1 == run.recipe().schedule().epochs();
        if ((epoch + 1) % run.recipe().training().saveEvery() == 0 || last) {
            save(CheckpointStore.name(state));
            run.store().prune(run.recipe().training().keepLast());
        }
        if (state.bestEpoch() == epoch) {
            save(CheckpointStore.BEST);
        }
        if (averaged != null && state.bestEmaEpoch() == epoch) {
            save(CheckpointStore.BEST_EMA);
        }
        // After the saves: a metrics file or chart that cannot be written must not cost a checkpoint.
        recordMetrics("metrics.jsonl", () -> metrics.append(epoch, step, trainLoss, learningRate(), imagesPerSecond,
                seconds, raw, averaged));
        return true;
    }

    /**
     * Saves a checkpoint of the weights as they are, which must be finite (the EMA's too): a step can
     * leave non-finite weights behind a finite loss, and such a checkpoint would become the "last good"
     * one and let pruning delete the finite ones before it.
     */
    private void save(String name) throws IOException {
        if (!isFinite(graph.params()) || (ema != null && !isFinite(ema.weights()))) {
            throw new NonFiniteLossException(String.format(Locale.ROOT,
                    "the weights are not finite after step %d; stopping without saving. The last good checkpoint is in %s",
                    state.step(), run.store().latest().map(Path::toString).orElse("(none yet)")));
        }
        run.store().save(name, graph, run.info(), ema, state, run.recipeYaml());
    }

    /** A NaN or an infinity anywhere makes the sum non-finite. */
    private static boolean isFinite(org.nd4j.linalg.api.ndarray.INDArray values) {
        return Double.isFinite(values.sumNumber().doubleValue());
    }

    /** Something the metrics log writes; it may fail, with a warning, and training goes on. */
    private interface MetricsWrite {
        void run() throws IOException;
    }

    private static void recordMetrics(String what, MetricsWrite write) {
        try {
            write.run();
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not write {} ({}); training goes on", what, e.toString());
        }
    }

    /** The head's learning rate at the current step (the others are layer-decayed copies). */
    private double learningRate() {
        return run.optimizer().learningRate().valueAt(Math.toIntExact(state.step()), 0);
    }

    /** A run stopped because the loss became NaN or infinite. */
    public static final class NonFiniteLossException extends RuntimeException {
        public NonFiniteLossException(String message) {
            super(message);
        }
    }
}
