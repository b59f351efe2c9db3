#!/usr/bin/env bash
# ConvNeXt V2 against V1, ours and PyTorch's, interleaved on one machine (docs/benchmarks.md, "ConvNeXt V2").
# Run from the repository root with nothing else running; prints the CPU, then each case as
# PyTorch V1, ours V1, PyTorch V2, ours V2.
set -euo pipefail
export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp   # Debian's torch sends nn.Linear to libblas.so.3
lscpu | grep -E 'Model name|^CPU\(s\)|Flags' | sed -E 's/(Flags:).*/\1 '"$(grep -o -w -E 'avx2|avx512f|avx512bw|avx512vl|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')"'/'
torch() { /usr/bin/python3 docs/bench/pytorch_bench.py --threads 2 "$@"; }
ours() { ./convnext benchmark "$@"; }
pair() {   # variant-suffix args for torch, args for ours
  local v1=$1 v2=$2; shift 2
  local torch_args=$1 our_args=$2
  for variant in "$v1" "$v2"; do
    echo "== PyTorch $variant $torch_args"; torch --variant "$variant" $torch_args | grep -E 'train step|forward |peak'
    echo "== ours $variant $our_args"; ours --variant "$variant" $our_args | grep -E 'img/s|step|RSS|peak' | tail -4
  done
}
pair convnext_atto convnextv2_atto "--image-size 64 --batch 64 --mode infer --warmup 30 --steps 40" \
  "--image-size 64 --batch 64 --mode infer --warmup 200 --steps 40"
pair convnext_atto convnextv2_atto "--image-size 64 --batch 64 --mode train --warmup 30 --steps 30" \
  "--image-size 64 --batch 64 --mode train --warmup 200 --steps 30"
pair convnext_tiny convnextv2_tiny "--image-size 224 --batch 8 --mode infer --warmup 2 --steps 6" \
  "--image-size 224 --batch 8 --mode infer --warmup 3 --steps 6"
pair convnext_tiny convnextv2_tiny "--image-size 224 --batch 8 --mode train --warmup 2 --steps 5" \
  "--image-size 224 --batch 8 --mode train --warmup 3 --steps 5"
