package org.convnext4j.model.optim;

import java.util.List;
import java.util.function.Function;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.LayerTraining;
import org.convnext4j.model.Vertex;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

/**
 * AdamW as the official ConvNeXt code trains, expressed as DL4J's per-layer configuration: {@link TorchAdam}
 * on a warm-up + cosine learning rate scaled by the layer's {@link LayerDecay} factor, plus decoupled weight
 * decay (DL4J's {@code WeightDecay} with the learning rate applied, p ← p − lr·wd·p beside the Adam step, its
 * coefficient on its own cosine from {@code weightDecay} to {@code weightDecayEnd}) on weight parameters only.
 * The stem and the first {@code freezeStages} stages get no update and no decay.
 *
 * <p>Because it lives in the network's configuration, DL4J's own {@code ComputationGraph.fit} takes exactly
 * the step our training loop takes:
 * <pre>
 * AdamW adamW = new AdamW(4e-3, 1e-6, warmupSteps, totalSteps, 0.9, 0.999, 1e-8, 0.05, 0.05, 1.0, LayerDecay.Scheme.GROUP, 0);
 * ComputationGraph net = new ComputationGraph(ConvNeXtGraph.configuration(config, 224, seed, DataType.FLOAT, adamW.perLayer(config)));
 * net.init();
 * net.fit(iterator);
 * </pre>
 * Steps count optimizer steps from 0 (DL4J's iteration count).
 */
public record AdamW(double lr, double minLr, long warmupSteps, long totalSteps, double beta1, double beta2, double eps,
                    double weightDecay, double weightDecayEnd, double layerDecay, LayerDecay.Scheme layerDecayScheme,
                    int freezeStages) {

    public AdamW {
        require(lr > 0, "lr", lr, "> 0");
        require(minLr >= 0 && minLr <= lr, "min lr", minLr, "in [0, lr]");
        require(warmupSteps >= 0 && warmupSteps < totalSteps, "warm-up steps", warmupSteps, "in [0, total steps " + totalSteps + ")");
        require(beta1 >= 0 && beta1 < 1, "beta1", beta1, "in [0, 1)");
        require(beta2 >= 0 && beta2 < 1, "beta2", beta2, "in [0, 1)");
        require(eps > 0, "eps", eps, "> 0");
        require(weightDecay >= 0 && weightDecayEnd >= 0, "weight decay", weightDecay + " to " + weightDecayEnd, ">= 0");
        require(layerDecay > 0 && layerDecay <= 1, "layer decay", layerDecay, "in (0, 1]");
        java.util.Objects.requireNonNull(layerDecayScheme, "layerDecayScheme");
        require(freezeStages >= 0 && freezeStages <= 4, "frozen stages", freezeStages, "0 to 4");
    }

    /** The learning rate of the head (layer-decay factor 1) at each step; the other layers' are scaled copies. */
    public WarmupCosineSchedule learningRate() {
        return new WarmupCosineSchedule(lr, minLr, warmupSteps, totalSteps);
    }

    /** How each layer of a network of this architecture trains: what {@link ConvNeXtGraph#configuration} takes. */
    public Function<Vertex, LayerTraining> perLayer(ConvNeXtConfig config) {
        WarmupCosineSchedule schedule = learningRate();
        List<Regularization> decay = weightDecay == 0 && weightDecayEnd == 0 ? List.of()
                : List.of(new WeightDecay(new WarmupCosineSchedule(weightDecay, weightDecayEnd, 0, totalSteps), true));
        // DL4J's NoOp updater passes the raw gradient on (an SGD step with rate 1); rate 0 freezes
        LayerTraining frozen = new LayerTraining(new Sgd(0.0), List.of());
        return vertex -> vertex.stage() < freezeStages ? frozen
                : new LayerTraining(new TorchAdam(schedule.scaled(LayerDecay.scale(layerDecayScheme, vertex, layerDecay,
                        config.depths())), beta1, beta2, eps), decay);
    }

    private static void require(boolean ok, String what, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException("AdamW " + what + " is " + value + ", expected " + expected);
        }
    }
}
