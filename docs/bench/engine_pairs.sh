#!/usr/bin/env bash
# The speed table of docs/benchmarks.md: ours, ONNX Runtime (the same network exported) and PyTorch,
# interleaved per case on one machine, every tool at its default warm-up, then the inference cases
# once warm. Run from the repository root with nothing else running:
#   bash docs/bench/engine_pairs.sh            # this machine as it is
#   bash docs/bench/engine_pairs.sh --avx2     # AVX-512 switched off where a switch exists (below)
# --avx2 stands in for a machine without AVX-512: HotSpot compiles our Java kernels for AVX2
# (-XX:UseAVX=2), oneDNN (libnd4j's and PyTorch's) stops at AVX2 (DNNL_MAX_CPU_ISA), OpenBLAS takes
# its Haswell kernels and PyTorch its AVX2 kernels (ATEN_CPU_CAPABILITY). ONNX Runtime has no such
# switch: its MLAS still picks AVX-512 kernels, so its figures under --avx2 are this CPU's own.
set -euo pipefail
if [[ "${1:-}" == "--avx2" ]]; then
  export DNNL_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2
  export CONVNEXT_JAVA_OPTS="${CONVNEXT_JAVA_OPTS:-} -XX:UseAVX=2"   # added to the launcher's own options
  echo "AVX2 stand-in: DNNL_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2, Java -XX:UseAVX=2"
fi
# Debian's torch sends nn.Linear to libblas.so.3 unless pointed at OpenBLAS; set for PyTorch alone.
torch() { LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 docs/bench/pytorch_bench.py --threads 2 "$@" | grep -E '^machine|train step|forward |peak'; }
ours() { ./convnext benchmark "$@" | grep -E '^machine|^engine|forward |train step|RSS'; }
case_() {   # one interleaved round: ours, ONNX Runtime (inference only), PyTorch
  echo "=== $*"
  echo "-- ours"; ours "$@"
  if [[ "$*" == *"--mode infer"* ]]; then echo "-- ONNX Runtime"; ours "$@" --engine onnxruntime; fi
  echo "-- PyTorch"; torch "$@"
}
case_ --variant convnext_tiny --image-size 224 --batch 8 --mode infer
case_ --variant convnext_tiny --image-size 224 --batch 32 --mode infer
case_ --variant convnext_atto --image-size 64 --batch 64 --mode infer
case_ --variant convnext_atto --image-size 64 --batch 64 --mode train
case_ --variant convnext_tiny --image-size 224 --batch 8 --mode train
# The inference bar once every engine is warm, as a server runs (ours needs HotSpot to finish compiling):
case_ --variant convnext_atto --image-size 64 --batch 64 --mode infer --warmup 150 --steps 30
case_ --variant convnext_tiny --image-size 224 --batch 8 --mode infer --warmup 30 --steps 10
