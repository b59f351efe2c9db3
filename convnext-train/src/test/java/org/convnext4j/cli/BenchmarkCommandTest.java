package org.convnext4j.cli;

import org.convnext4j.model.kernels.HostCpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BenchmarkCommandTest {

    private static final String PHASE = "%-17s median +[0-9.]+ ms/step \\(mean [0-9.]+, min [0-9.]+, max [0-9.]+\\) +[0-9.]+ img/s";

    @Test
    void trainModeReportsForwardBackwardUpdateAndTheWholeStep() {
        CliRun run = CliRun.of("benchmark", "--variant", "convnext_test", "--image-size", "32", "--batch", "2",
                "--mode", "train", "--warmup", "1", "--steps", "2");

        assertEquals(0, run.exitCode(), run.err());
        for (String phase : new String[] {"forward", "backward", "update", "train step"}) {
            assertTrue(run.out().matches("(?s).*\n" + String.format(PHASE, phase) + "\n.*"), phase + " missing in:\n" + run.out());
        }
        assertTrue(run.out().matches("(?s).*peak RSS [0-9.]+ GiB.*"), run.out());
    }

    @Test
    void inferModeReportsTheForwardPass() {
        CliRun run = CliRun.of("benchmark", "--variant", "convnext_test", "--image-size", "32", "--batch", "2",
                "--mode", "infer", "--warmup", "0", "--steps", "1");

        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().matches("(?s).*\n" + String.format(PHASE, "forward") + "\n.*"), run.out());
        assertTrue(!run.out().contains("backward"), run.out());
        // the record names the CPU, its vector instructions and the ND4J build that ran
        assertTrue(run.out().startsWith("machine: " + HostCpu.current().summary() + "; " + org.convnext4j.train.BuildInfo.load().summary()),
                run.out());
    }

    /** ONNX Runtime times the same network's export with the dl4j engine's lines, saying which engine and version ran. */
    @Test
    void onnxRuntimeEngineReportsTheForwardPassAsDl4jDoes() {
        String[] args = {"benchmark", "--variant", "convnext_test", "--image-size", "32", "--batch", "2", "--warmup", "1", "--steps", "2"};
        CliRun dl4j = CliRun.of(args);
        CliRun onnx = CliRun.of(concat(args, "--engine", "onnxruntime"));

        assertEquals(0, dl4j.exitCode(), dl4j.err());
        assertEquals(0, onnx.exitCode(), onnx.err());
        assertTrue(dl4j.out().contains("\nengine dl4j: ND4J backend "), dl4j.out());
        assertTrue(onnx.out().matches("(?s).*\nengine onnxruntime: ONNX Runtime 1\\.20\\.0, intra-op threads [1-9][0-9]*, inter-op 1,"
                + " graph optimisation ALL_OPT, sequential execution\n.*"), onnx.out());
        assertEquals(withoutEngineLine(dl4j.out()).replaceAll(" *[0-9.]+", "N"), withoutEngineLine(onnx.out()).replaceAll(" *[0-9.]+", "N"),
                "the same lines apart from the engine and the figures");
        assertTrue(onnx.out().matches("(?s).*\n" + String.format(PHASE, "forward") + "\n.*"), onnx.out());
    }

    @Test
    void onnxRuntimeDoesNotTrain() {
        CliRun run = CliRun.of("benchmark", "--variant", "convnext_test", "--image-size", "32", "--mode", "train", "--engine", "onnxruntime");

        assertEquals(ConvNeXtCommand.INVALID_INPUT, run.exitCode(), run.out());
        assertEquals("error: --engine onnxruntime times inference only (--mode infer): ONNX Runtime for Java does not train",
                run.errors().strip());
        assertTrue(run.out().isEmpty(), run.out());
    }

    private static String withoutEngineLine(String out) {
        return out.replaceAll("(?m)^engine .*\n", "");
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    @Test
    void theCpuIsReadFromCpuInfo() {
        HostCpu cpu = HostCpu.parse(java.util.List.of("processor\t: 0", "model name\t: AMD EPYC 9R14",
                "flags\t\t: fpu sse2 avx avx2 fma avx512f avx512bw avx512vl avx512_vnni sha_ni", "processor\t: 1",
                "model name\t: other", "flags\t\t: fpu"));
        assertEquals("AMD EPYC 9R14; avx avx2 avx512_vnni avx512bw avx512f avx512vl fma", cpu.summary());
        assertEquals("unknown; no AVX", HostCpu.parse(java.util.List.of("garbage")).summary());
    }

    @Test
    void aBatchOfZeroIsAOneLineError() {
        CliRun run = CliRun.of("benchmark", "--variant", "convnext_test", "--batch", "0");

        assertEquals(ConvNeXtCommand.INVALID_INPUT, run.exitCode(), run.out());
        assertEquals("--batch and --steps must be >= 1 and --warmup >= 0", run.errors().strip().replaceFirst("^.*?: ", ""));
    }
}
