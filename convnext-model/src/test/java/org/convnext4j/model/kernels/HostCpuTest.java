package org.convnext4j.model.kernels;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Which machines run the depthwise convolution on oneDNN: AVX-512 F, BW and VL present, oneDNN not capped below them. */
class HostCpuTest {

    private static final HostCpu AVX512 = HostCpu.parse(List.of("model name\t: AMD EPYC 9R14",
            "flags\t\t: fpu sse avx avx2 fma avx512f avx512bw avx512vl avx512_vnni"));
    private static final HostCpu AVX2 = HostCpu.parse(List.of("model name\t: AMD EPYC 7R13", "flags\t\t: fpu sse avx avx2 fma"));

    @Test
    void avx512MachinesUseOneDnnUnlessCapped() {
        assertTrue(AVX512.oneDnnUsesAvx512(null));
        assertTrue(AVX512.oneDnnUsesAvx512("AVX512_CORE"));
        assertTrue(AVX512.oneDnnUsesAvx512("all"));
        assertFalse(AVX512.oneDnnUsesAvx512("AVX2"), "oneDNN capped at AVX2 runs no AVX-512 kernel");
    }

    @Test
    void avx2MachinesAndUnknownOnesDoNot() {
        assertFalse(AVX2.oneDnnUsesAvx512(null));
        assertFalse(AVX2.oneDnnUsesAvx512("AVX512_CORE"), "a cap does not add instructions");
        assertFalse(HostCpu.parse(List.of("garbage")).oneDnnUsesAvx512(null));
    }

    @Test
    void oneDnnsDepthwisePathIsSlowOnlyWhenCappedBelowTheCpusAvx512() {
        assertTrue(AVX512.oneDnnDepthwiseSlow("AVX2"), "the stand-in for a machine without AVX-512");
        assertFalse(AVX512.oneDnnDepthwiseSlow(null));
        assertFalse(AVX512.oneDnnDepthwiseSlow("AVX512_CORE"));
        assertFalse(AVX2.oneDnnDepthwiseSlow(null), "oneDNN's AVX2 kernel on a CPU without AVX-512");
        assertFalse(AVX2.oneDnnDepthwiseSlow("AVX2"));
    }
}
