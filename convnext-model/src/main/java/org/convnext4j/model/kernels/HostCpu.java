package org.convnext4j.model.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The CPU this process runs on, as far as its vector instructions matter: our machines differ in them
 * (some have AVX-512, some only AVX2), and so do the fastest kernels and every benchmark figure.
 *
 * @param model      the CPU's model name, or {@code unknown}
 * @param vectorSets the instruction sets of {@link #REPORTED} the CPU has
 */
public record HostCpu(String model, Set<String> vectorSets) {

    /** The flags that decide which kernels and which native build are fast. */
    public static final List<String> REPORTED = List.of("avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni");
    private static final Path CPU_INFO = Path.of("/proc/cpuinfo");

    /** This machine's CPU, from /proc/cpuinfo where there is one. */
    public static HostCpu current() {
        try {
            return Files.isReadable(CPU_INFO) ? parse(Files.readAllLines(CPU_INFO)) : new HostCpu("unknown", Set.of());
        } catch (IOException e) {
            return new HostCpu("unknown", Set.of());
        }
    }

    /** From /proc/cpuinfo's lines: the first processor's {@code model name} and {@code flags}. */
    public static HostCpu parse(List<String> cpuInfo) {
        String model = "unknown";
        Set<String> sets = new TreeSet<>();
        for (String line : cpuInfo) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (key.equals("model name") && model.equals("unknown")) {
                model = value;
            } else if (key.equals("flags") && sets.isEmpty()) {
                for (String flag : value.split("\\s+")) {
                    if (REPORTED.contains(flag)) {
                        sets.add(flag);
                    }
                }
            }
        }
        return new HostCpu(model, Set.copyOf(sets));
    }

    /**
     * Whether oneDNN (inside libnd4j) takes its AVX-512 kernels here: the CPU has AVX-512 F, BW and VL,
     * and oneDNN's own cap ({@code maxIsa}, the value of {@code ONEDNN_MAX_CPU_ISA} or
     * {@code DNNL_MAX_CPU_ISA}, null when unset) does not stop it below AVX-512.
     */
    public boolean oneDnnUsesAvx512(String maxIsa) {
        return !cappedBelowAvx512(maxIsa) && hasAvx512();
    }

    /**
     * Whether oneDNN's channels-last depthwise convolution takes its slow path here: on a CPU with
     * AVX-512 whose oneDNN is capped below it (as {@code engine_pairs.sh --avx2} does), it took a path
     * far slower than uncapped; on a CPU without AVX-512 its AVX2 kernel ran faster than our own pass
     * on one thread, capped or not (docs/performance-journal.md, #18).
     */
    public boolean oneDnnDepthwiseSlow(String maxIsa) {
        return cappedBelowAvx512(maxIsa) && hasAvx512();
    }

    private boolean hasAvx512() {
        return vectorSets.containsAll(List.of("avx512f", "avx512bw", "avx512vl"));
    }

    private static boolean cappedBelowAvx512(String maxIsa) {
        return maxIsa != null && !maxIsa.isBlank()
                && !maxIsa.strip().toUpperCase(Locale.ROOT).startsWith("AVX512") && !maxIsa.strip().equalsIgnoreCase("ALL");
    }

    /** e.g. {@code AMD EPYC; avx avx2 avx512bw avx512f avx512vl fma}. */
    public String summary() {
        return model + "; " + (vectorSets.isEmpty() ? "no AVX" : String.join(" ", new TreeSet<>(vectorSets)));
    }
}
