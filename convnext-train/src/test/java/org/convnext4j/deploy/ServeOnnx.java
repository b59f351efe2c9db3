package org.convnext4j.deploy;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * The Java serving snippet of docs/deploy.md, as code that compiles and runs ({@code DeploySnippetTest}):
 * an exported ConvNeXt in ONNX Runtime, one session for the process, images in as NCHW floats
 * normalised with the ImageNet mean and std, logits out.
 */
public final class ServeOnnx implements AutoCloseable {

    private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    public ServeOnnx(Path model) throws OrtException {
        session = environment.createSession(model.toString(), new OrtSession.SessionOptions());
    }

    /** Logits for {@code batch} images of {@code size}×{@code size}, {@code pixels} in NCHW order. */
    public float[][] logits(float[] pixels, int batch, int size) throws OrtException {
        try (OnnxTensor images = OnnxTensor.createTensor(environment, FloatBuffer.wrap(pixels), new long[] {batch, 3, size, size});
             OrtSession.Result result = session.run(Map.of("images", images))) {
            return (float[][]) result.get(0).getValue();
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
