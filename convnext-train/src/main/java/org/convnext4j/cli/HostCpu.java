package org.convnext4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The CPU a benchmark ran on, as a benchmark record needs it: our machines differ in their vector
 * instructions (some have AVX-512, some only AVX2), and the figures differ with them.
 *
 * @param model      the CPU's model name, or {@code unknown}
 * @param vectorSets the instruction sets of {@link #REPORTED} the CPU has
 */
record HostCpu(String model, Set<String> vectorSets) {

    /** The flags that decide which kernels and which native build are fast. */
    static final List<String> REPORTED = List.of("avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni");
    private static final Path CPU_INFO = Path.of("/proc/cpuinfo");

    /** This machine's CPU, from /proc/cpuinfo where there is one. */
    static HostCpu current() {
        try {
            return Files.isReadable(CPU_INFO) ? parse(Files.readAllLines(CPU_INFO)) : new HostCpu("unknown", Set.of());
        } catch (IOException e) {
            return new HostCpu("unknown", Set.of());
        }
    }

    /** From /proc/cpuinfo's lines: the first processor's {@code model name} and {@code flags}. */
    static HostCpu parse(List<String> cpuInfo) {
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

    /** e.g. {@code AMD EPYC; avx avx2 avx512bw avx512f avx512vl fma}. */
    String summary() {
        return model + "; " + (vectorSets.isEmpty() ? "no AVX" : String.join(" ", new TreeSet<>(vectorSets)));
    }
}
