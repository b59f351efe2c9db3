package org.convnext4j.onnx;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * A model written by {@link OnnxExport}, opened in ONNX Runtime for inference: one session and the model's
 * {@link OnnxMetadata}. The session settings are stated, because a timing comparison depends on them:
 * the intra-op threads given, one inter-op thread, every graph optimisation, sequential execution.
 */
public final class OnnxRuntimeModel implements AutoCloseable {

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final OnnxMetadata metadata;
    private final int intraOpThreads;

    private OnnxRuntimeModel(OrtEnvironment environment, OrtSession session, OnnxMetadata metadata, int intraOpThreads) {
        this.environment = environment;
        this.session = session;
        this.metadata = metadata;
        this.intraOpThreads = intraOpThreads;
    }

    /**
     * Opens {@code file}; an {@link IOException} of one line naming it when it is missing, is not an ONNX model,
     * or is not one of ours (no convnext4j metadata, not {@value OnnxExport#INPUT} in and {@value OnnxExport#OUTPUT} out).
     */
    public static OnnxRuntimeModel open(Path file, int intraOpThreads) throws IOException {
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException("ONNX Runtime needs at least one intra-op thread, got " + intraOpThreads);
        }
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file + ": no such ONNX model file");
        }
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        OrtSession session;
        try (OrtSession.SessionOptions options = sessionOptions(intraOpThreads)) {
            session = environment.createSession(file.toString(), options);
        } catch (OrtException e) {
            throw new IOException(file + ": not an ONNX model that ONNX Runtime loads (" + firstLine(e.getMessage())
                    + "); expected a file written by `convnext export --format onnx`", e);
        }
        try {
            OnnxMetadata metadata = OnnxMetadata.read(file, session.getMetadata().getCustomMetadata());
            if (!session.getInputNames().equals(Set.of(OnnxExport.INPUT)) || !session.getOutputNames().contains(OnnxExport.OUTPUT)) {
                throw new IOException(file + ": takes " + session.getInputNames() + " and gives " + session.getOutputNames()
                        + "; expected " + OnnxExport.INPUT + " in and " + OnnxExport.OUTPUT + " out, as export writes");
            }
            return new OnnxRuntimeModel(environment, session, metadata, intraOpThreads);
        } catch (IOException | RuntimeException e) {
            closeQuietly(session, e);
            throw e;
        } catch (OrtException e) {
            closeQuietly(session, e);
            throw new IOException(file + ": ONNX Runtime cannot read its metadata (" + firstLine(e.getMessage()) + ")", e);
        }
    }

    /**
     * The session settings of every model this class opens (see the class comment), for tools that open a
     * session of their own to compare with it, such as {@code docs/bench/OrtProfile.java}. The caller closes them.
     */
    public static OrtSession.SessionOptions sessionOptions(int intraOpThreads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setIntraOpNumThreads(intraOpThreads);
            // one operator at a time, as ND4J runs a graph: all the cores go to the operator itself
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return options;
        } catch (OrtException e) {
            options.close();
            throw e;
        }
    }

    public OnnxMetadata metadata() {
        return metadata;
    }

    /** The engine and its settings, e.g. {@code ONNX Runtime 1.20.0, intra-op threads 2, inter-op 1, ALL_OPT, sequential}. */
    public String describe() {
        return "ONNX Runtime " + environment.getVersion() + ", intra-op threads " + intraOpThreads
                + ", inter-op 1, graph optimisation ALL_OPT, sequential execution";
    }

    /**
     * NCHW float images as an ONNX Runtime tensor, copied once: a timing loop passes the same tensor to every
     * {@link #logits(OnnxTensor)}, as the DL4J benchmark passes the same array. The caller closes it.
     */
    public OnnxTensor tensor(INDArray images) {
        float[] pixels = images.castTo(DataType.FLOAT).dup('c').reshape(images.length()).toFloatVector();
        try {
            return OnnxTensor.createTensor(environment, FloatBuffer.wrap(pixels), images.shape());
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not take an input of shape " + Arrays.toString(images.shape()), e);
        }
    }

    /** The logits, one row per image. A failure here is not the user's: the session and its input were checked. */
    public float[][] logits(OnnxTensor images) {
        try (OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, images), Set.of(OnnxExport.OUTPUT))) {
            return (float[][]) result.get(OnnxExport.OUTPUT).orElseThrow().getValue();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to run the model", e);
        }
    }

    /** The logits of NCHW float images, one row per image. */
    public float[][] logits(INDArray images) {
        try (OnnxTensor tensor = tensor(images)) {
            return logits(tensor);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to close its session", e);
        }
    }

    private static void closeQuietly(OrtSession session, Exception failure) {
        try {
            session.close();
        } catch (OrtException e) {
            failure.addSuppressed(e);
        }
    }

    /** ONNX Runtime's messages can run over several lines; the user gets one. */
    private static String firstLine(String message) {
        return message == null ? "no message" : message.lines().findFirst().orElse("").strip();
    }
}
