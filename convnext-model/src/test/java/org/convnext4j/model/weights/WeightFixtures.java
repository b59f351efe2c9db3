package org.convnext4j.model.weights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.convnext4j.model.ConvNeXtConfig;
import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.ConvNeXtVariants;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/** The PyTorch fixtures of {@code src/test/resources/fixtures} (see its README) and the network they fit. */
final class WeightFixtures {

    static final int CLASSES = 7;
    static final int IMAGE_SIZE = 64;
    static final long SEED = 7;

    /** convnext_test with the fixtures' 7 classes; the layer scale init is arbitrary, since the files hold it. */
    static final ConvNeXtConfig CONFIG = ConvNeXtVariants.get(ConvNeXtVariants.TEST).withNumClasses(CLASSES)
            .withLayerScaleInit(0.5).withDropPathRate(0.0);

    private WeightFixtures() {
    }

    static Path path(String file) {
        return path("fixtures", file);
    }

    /** A file of the test resources' {@code folder} ({@code fixtures}, {@code v2-fixtures}, …). */
    static Path path(String folder, String file) {
        try {
            return Path.of(WeightFixtures.class.getResource("/" + folder + "/" + file).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, INDArray> read(String file) {
        return read("fixtures", file);
    }

    static Map<String, INDArray> read(String folder, String file) {
        try {
            return SafeTensors.read(path(folder, file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String weightsFile(WeightNaming naming) {
        return "convnext_test_" + naming.name().toLowerCase() + ".safetensors";
    }

    static Map<String, INDArray> weights(WeightNaming naming) {
        return read(weightsFile(naming));
    }

    /** Input, F64 reference activations ({@code stem}, {@code stage0..3}, NCHW) and {@code logits}. */
    static Map<String, INDArray> io() {
        return read("convnext_test_io.safetensors");
    }

    static ComputationGraph graph(ConvNeXtConfig config, DataType dataType) {
        return ConvNeXtGraph.create(config, IMAGE_SIZE, SEED, dataType, new NoOp());
    }

    /** Runs {@code body} with ND4J's default data types set to DOUBLE, then restores the previous ones. */
    static <T> T inDouble(Supplier<T> body) {
        DataType previousData = Nd4j.dataType();
        DataType previousFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            return body.get();
        } finally {
            Nd4j.setDefaultDataTypes(previousData, previousFloat);
        }
    }

    static double maxAbsDiff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    static final List<String> STAGES = List.of("stage0", "stage1", "stage2", "stage3");
}
