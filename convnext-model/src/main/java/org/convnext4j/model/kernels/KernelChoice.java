package org.convnext4j.model.kernels;

import java.util.Locale;

import org.convnext4j.model.kernels.java.JavaKernels;
import org.convnext4j.model.kernels.nd4j.Nd4jKernels;

/**
 * Which {@link Kernels} this process runs, chosen once from the backend and the environment
 * variable {@value #VARIABLE}: {@code auto} (the default) takes the Java kernels on ND4J's CPU
 * backend and the ND4J-op kernels on any other; {@code java} or {@code nd4j} force one (the Java
 * kernels still refuse a backend that is not the CPU's).
 */
public final class KernelChoice {

    public static final String VARIABLE = "CONVNEXT_KERNELS";

    private static volatile Kernels active;
    private static volatile Backend backend;

    private KernelChoice() {
    }

    /**
     * This process's kernels, chosen at the first call (loading ND4J's backend if nothing has yet); a
     * bad {@value #VARIABLE} fails every call alike, with an {@link IllegalArgumentException}.
     */
    public static Kernels active() {
        Kernels chosen = active;
        if (chosen == null) {
            synchronized (KernelChoice.class) {
                if (active == null) {
                    Backend current = Backend.current();
                    active = choose(System.getenv(VARIABLE), current);
                    backend = current;
                }
                chosen = active;
            }
        }
        return chosen;
    }

    /** The backend the active kernels were chosen for. */
    public static Backend backend() {
        active();
        return backend;
    }

    /**
     * The kernels for a setting ({@code auto}, {@code java}, {@code nd4j} or null, meaning auto) on a
     * backend; an unknown setting or the Java kernels on a non-CPU backend is an
     * {@link IllegalArgumentException} naming the variable and the value.
     */
    public static Kernels choose(String setting, Backend backend) {
        String value = setting == null || setting.isBlank() ? "auto" : setting.trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "auto" -> backend.cpu() ? new JavaKernels(backend) : new Nd4jKernels();
            case "java" -> new JavaKernels(backend);
            case "nd4j" -> new Nd4jKernels();
            default -> throw new IllegalArgumentException(VARIABLE + " is '" + setting + "'; expected auto, java or nd4j");
        };
    }
}
