package org.convnext4j.model.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.convnext4j.model.kernels.java.JavaKernels;
import org.junit.jupiter.api.Test;

/** Which kernels run where, and that the Java kernels never run on a backend whose memory is not the host's. */
class KernelChoiceTest {

    private static final Backend CPU = new Backend("CPU", true, "oneDNN", true);
    private static final Backend CUDA = new Backend("CUDA", false, "cuDNN", true);

    @Test
    void autoTakesTheJavaKernelsOnTheCpuAndTheNd4jKernelsElsewhere() {
        assertEquals("java", KernelChoice.choose("auto", CPU).name());
        assertEquals("java", KernelChoice.choose(null, CPU).name());
        assertEquals("nd4j", KernelChoice.choose("auto", CUDA).name());
        assertEquals("nd4j", KernelChoice.choose(" ND4J ", CPU).name());
        assertEquals("nd4j", KernelChoice.choose("nd4j", CUDA).name());
    }

    @Test
    void theJavaKernelsRefuseANonCpuBackend() {
        IllegalArgumentException forced = assertThrows(IllegalArgumentException.class, () -> KernelChoice.choose("java", CUDA));
        assertTrue(forced.getMessage().contains("CUDA") && forced.getMessage().contains("CONVNEXT_KERNELS=nd4j"), forced.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new JavaKernels(CUDA));
    }

    @Test
    void anUnknownSettingNamesTheVariableAndTheValue() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> KernelChoice.choose("fast", CPU));
        assertEquals("CONVNEXT_KERNELS is 'fast'; expected auto, java or nd4j", bad.getMessage());
    }

    /** The build runs the suite once per implementation, setting the variable; each run must really use the one it names. */
    @Test
    void thisProcessRunsTheKernelsTheEnvironmentAsksFor() {
        String setting = System.getenv(KernelChoice.VARIABLE);
        Backend backend = KernelChoice.backend();
        String expected = setting == null || setting.equals("auto") ? (backend.cpu() ? "java" : "nd4j") : setting;
        assertEquals(expected, KernelChoice.active().name());
    }

    @Test
    void helpersAreReadFromLibnd4jsBuildInformation() {
        assertEquals("oneDNN", Backend.helpersIn("GCC: \"7.5.0\"\nHAVE_FLATBUFFERS\nHAVE_ONEDNN\nHAVE_OPENBLAS\n"));
        assertEquals("cuDNN", Backend.helpersIn("HAVE_CUDNN\n"));
        assertEquals("none", Backend.helpersIn("HAVE_OPENBLAS"));
        assertEquals("CPU (helpers: oneDNN, in use)", CPU.describe());
    }
}
