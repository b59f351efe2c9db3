package org.convnext4j.model.layers;

import java.util.Collection;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Base of the ConvNeXt layers (stem, block, downsampling, head): a DL4J layer configuration whose
 * SameDiff graph ({@link #defineLayer}) is the layer's reference definition, and whose network runs
 * a hand-written runtime instead ({@link #runtimeLayer}, a {@link HandWrittenRuntime}). The SameDiff
 * graph runs only in tests, which hold the runtime to it.
 */
public abstract class HandWrittenLayer extends SameDiffLayer {

    protected HandWrittenLayer() {
        // for JSON
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        org.deeplearning4j.nn.layers.samediff.SameDiffLayer layer = runtimeLayer(conf, networkDataType);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        Map<String, INDArray> paramTable = initializer().init(conf, layerParamsView, initializeParams);
        if (initializeParams) {
            initializeWeights(paramTable, WeightDraws.forLayer(conf.getSeed(), layerIndex));
        }
        layer.setParamTable(paramTable);
        layer.setConf(conf);
        return layer;
    }

    /**
     * Draws the random initial weights ({@link #initializeParameters} sets the constant ones), from the
     * network's seed and this layer's index, so a seed gives the same network everywhere.
     */
    protected abstract void initializeWeights(Map<String, INDArray> params, WeightDraws draws);

    /**
     * The layer that runs this definition in a network: a {@link HandWrittenRuntime}. Tests run
     * {@link #defineLayer} itself through DL4J's generic SameDiff runtime to check it against.
     */
    protected abstract org.deeplearning4j.nn.layers.samediff.SameDiffLayer runtimeLayer(NeuralNetConfiguration conf, DataType dataType);

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && super.equals(o);
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }
}
