#!/usr/bin/env bash
# The GPU check. On a machine with an NVIDIA GPU and its driver, JDK 17, Maven, and the CUDA build's
# dependencies already in the local Maven repository (Maven runs offline: such machines often reach
# no registry), it prints and saves to gpu-check.log, in well under 10 minutes:
#   1. the machine, the GPU, and the backend the build is for;
#   2. the backend and kernels a process picks, the kernel and layer tests, and parity with PyTorch on
#      the committed fixtures (logits, stage outputs, two AdamW steps), all on the GPU;
#   3. 30 steps of configs/quickstart.yaml against the loss trace recorded on the CPU (1e-4 relative);
#   4. ConvNeXt-T at 224 px, batch 64: inference and training images/s and peak memory.
# Usage: scripts/gpu-check.sh [cuda|cuda-redist]   (the Maven profile; default cuda). docs/gpu.md says
# what the machine needs; record what this prints there.
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-cuda}"
exec > >(tee gpu-check.log) 2>&1

echo "== 1. machine and build"
date -u
nvidia-smi || echo "nvidia-smi: not found"
java -version
mvn -v | head -n 1
mvn -B -q -o "-P$profile" -DskipTests package
CONVNEXT_BACKEND="$profile" ./convnext --version

echo "== 2 and 3. backend, kernels, layers, PyTorch parity, quick-start trace (tests on the GPU)"
# Both of the build's test runs pick the ND4J-op kernels on a GPU; the Java kernels' tests skip themselves.
tests="KernelChoiceTest,NormAndBlockOutputKernelsTest,GeluKernelTest,DepthwiseKernelsTest,PatchKernelsTest"
tests+=",AdamAndEmaKernelsTest,HandWrittenLayerTest,ConvNeXtWeightsParityTest,AdamWParityTest,QuickstartTraceTest"
mvn -B -ntp -o "-P$profile" test -pl convnext-model,convnext-train -am -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false \
    || echo "== TESTS FAILED on the GPU (see above)"

echo "== 4. ConvNeXt-T, 224 px, batch 64"
CONVNEXT_BACKEND="$profile" ./convnext benchmark --variant convnext_tiny --image-size 224 --batch 64 --mode infer --warmup 3 --steps 10
CONVNEXT_BACKEND="$profile" ./convnext benchmark --variant convnext_tiny --image-size 224 --batch 64 --mode train --warmup 3 --steps 10
echo "== done: gpu-check.log"
