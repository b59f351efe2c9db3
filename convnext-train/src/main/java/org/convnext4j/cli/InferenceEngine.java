package org.convnext4j.cli;

import org.nd4j.linalg.factory.Nd4j;

/** What {@code predict} and {@code benchmark} run a model on: our DL4J network, or its ONNX export in ONNX Runtime. */
enum InferenceEngine {
    dl4j, onnxruntime;

    /**
     * ONNX Runtime's intra-op threads: as many as ND4J's own ops compute with (OMP_NUM_THREADS, else ND4J's
     * count of physical cores), so that the two engines are compared on the same cores.
     */
    static int onnxRuntimeThreads() {
        return Nd4j.getEnvironment().maxThreads();
    }
}
