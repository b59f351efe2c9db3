package org.convnext4j.cli;

import java.util.List;
import java.util.OptionalDouble;

import org.convnext4j.model.SplitBatchInference;
import org.convnext4j.onnx.OnnxRuntimeModel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@code predict} runs its images through, one implementation per engine: the input size and the
 * crop recorded with the model (the same transform makes the same tensors for both), the class names,
 * and the logits of a batch of NCHW images.
 */
sealed interface ImageClassifier extends AutoCloseable {

    int imageSize();

    List<String> classNames();

    /** The centre crop the model's training evaluated with; empty where it records none. */
    OptionalDouble evalCropPct();

    /** One row of logits per image. */
    float[][] logits(INDArray images);

    @Override
    void close();

    /** Our network, from a model file, a checkpoint or PyTorch weights, each batch split over its replicas. */
    record Dl4j(ModelSource source, SplitBatchInference inference) implements ImageClassifier {

        Dl4j(ModelSource source) {
            this(source, SplitBatchInference.of(source.graph()));
        }

        @Override
        public int imageSize() {
            return source.info().imageSize();
        }

        @Override
        public List<String> classNames() {
            return source.info().classNames();
        }

        @Override
        public OptionalDouble evalCropPct() {
            return source.info().evalCropPct();
        }

        @Override
        public float[][] logits(INDArray images) {
            return inference.logits(images).castTo(DataType.FLOAT).toFloatMatrix();
        }

        @Override
        public void close() {
            inference.close();   // its threads; the network's arrays are ND4J's, freed with the graph
        }
    }

    /** Our ONNX export in ONNX Runtime; the size, crop and class names come from its metadata. */
    record OnnxRuntime(OnnxRuntimeModel model) implements ImageClassifier {
        @Override
        public int imageSize() {
            return model.metadata().imageSize();
        }

        @Override
        public List<String> classNames() {
            return model.metadata().classNames();
        }

        @Override
        public OptionalDouble evalCropPct() {
            return model.metadata().evalCropPct();
        }

        @Override
        public float[][] logits(INDArray images) {
            return model.logits(images);
        }

        @Override
        public void close() {
            model.close();
        }
    }
}
