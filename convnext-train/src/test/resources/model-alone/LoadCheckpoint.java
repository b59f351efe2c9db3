import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

import org.convnext4j.model.ConvNeXtGraph;
import org.convnext4j.model.io.ModelFile;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Run with Java's source launcher on a class path of convnext-model, its dependencies and an ND4J backend
 * only (CheckpointWithModelAloneTest): loads a model file with its optimizer state and prints the logits
 * of a fixed input. Proves that nothing in a checkpoint needs convnext-train.
 */
public class LoadCheckpoint {
    public static void main(String[] args) throws Exception {
        for (String absent : new String[] {"org.convnext4j.train.Training", "picocli.CommandLine", "ch.qos.logback.classic.Logger"}) {
            try {
                Class.forName(absent);
                throw new IllegalStateException(absent + " is on the class path");
            } catch (ClassNotFoundException expected) {
                // as it should be
            }
        }
        ModelFile.Loaded loaded = ModelFile.load(Path.of(args[0]), true);
        int size = loaded.info().imageSize();
        INDArray images = Nd4j.linspace(DataType.FLOAT, -1, 2.0 / (3 * size * size), 3 * size * size).reshape(1, 3, size, size);
        float[] logits = ConvNeXtGraph.logits(loaded.graph(), images).toFloatVector();
        System.out.println("classes " + loaded.info().classNames());
        System.out.println("updater state " + loaded.graph().getUpdater().getStateViewArray().length());
        System.out.println("logits " + Arrays.toString(logits).toLowerCase(Locale.ROOT));
    }
}
