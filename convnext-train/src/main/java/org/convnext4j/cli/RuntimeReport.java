package org.convnext4j.cli;

import org.convnext4j.model.kernels.Backend;
import org.convnext4j.model.kernels.KernelChoice;
import org.convnext4j.model.kernels.Kernels;
import org.convnext4j.model.kernels.java.JavaKernels;
import org.convnext4j.model.kernels.java.KernelThreads;
import org.convnext4j.train.BuildInfo;

/** The first log line of every command: the version, the ND4J backend this process runs on and the kernels it chose. */
final class RuntimeReport {

    private RuntimeReport() {
    }

    static String line() {
        return "convnext4j " + BuildInfo.load().version() + ", " + runtime();
    }

    /**
     * The ND4J backend and the kernels, e.g. {@code ND4J backend CPU …, kernels java (CONVNEXT_KERNELS=auto, unset;
     * 2 kernel threads; depthwise on oneDNN)}.
     */
    static String runtime() {
        Kernels kernels = KernelChoice.active();
        Backend backend = KernelChoice.backend();
        String setting = System.getenv(KernelChoice.VARIABLE);
        String depthwise = kernels instanceof JavaKernels java
                ? "; " + KernelThreads.describe()
                        + "; " + java.describeChoices()
                : "";
        return "ND4J backend " + backend.describe() + ", kernels " + kernels.name() + " ("
                + KernelChoice.VARIABLE + "=" + (setting == null ? "auto, unset" : setting) + depthwise + ")";
    }
}
