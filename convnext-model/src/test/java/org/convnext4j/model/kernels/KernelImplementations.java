package org.convnext4j.model.kernels;

import java.util.stream.Stream;

import org.convnext4j.model.kernels.java.JavaKernels;
import org.convnext4j.model.kernels.nd4j.Nd4jKernels;

/** The kernel implementations a kernel test runs over: the ND4J-op ones, and the Java ones where the backend is the CPU's. */
final class KernelImplementations {

    private KernelImplementations() {
    }

    static Stream<Kernels> all() {
        Backend backend = Backend.current();
        return backend.cpu() ? Stream.of(new JavaKernels(backend), new Nd4jKernels()) : Stream.of(new Nd4jKernels());
    }
}
