package org.convnext4j.model.kernels;

import org.nd4j.linalg.factory.Nd4j;

/**
 * The ND4J backend this process runs on, as the kernel choice needs it.
 *
 * @param name        ND4J's name for it ({@code CPU}, {@code CUDA})
 * @param cpu         whether arrays live in host memory (ND4J's CPU backend)
 * @param helpers     the platform helpers libnd4j was built with ({@code oneDNN}, {@code cuDNN}), or none
 * @param helpersUsed whether ND4J lets its ops use those helpers
 */
public record Backend(String name, boolean cpu, String helpers, boolean helpersUsed) {

    /** The backend ND4J loaded (loading it if no array was made yet). */
    public static Backend current() {
        String name = String.valueOf(Nd4j.getExecutioner().getEnvironmentInformation().get("backend"));
        return new Backend(name, Nd4j.getEnvironment().isCPU(), helpersIn(Nd4j.getBackend().buildInfo()),
                Nd4j.getEnvironment().helpersAllowed());
    }

    /** The platform helpers named in libnd4j's build information ({@code HAVE_ONEDNN}, {@code HAVE_CUDNN} lines). */
    static String helpersIn(String buildInfo) {
        StringBuilder found = new StringBuilder();
        for (String line : buildInfo.split("\\R")) {
            String helper = switch (line.trim()) {
                case "HAVE_ONEDNN" -> "oneDNN";
                case "HAVE_CUDNN" -> "cuDNN";
                case "HAVE_ARMCOMPUTE" -> "ARM Compute Library";
                default -> null;
            };
            if (helper != null) {
                found.append(found.isEmpty() ? "" : ", ").append(helper);
            }
        }
        return found.isEmpty() ? "none" : found.toString();
    }

    /** One line for logs and checkpoint metadata, e.g. {@code CPU (helpers: oneDNN, in use)}. */
    public String describe() {
        return name + " (helpers: " + helpers + (helpers.equals("none") ? "" : helpersUsed ? ", in use" : ", disabled") + ")";
    }
}
