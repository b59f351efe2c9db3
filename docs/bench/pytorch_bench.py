"""PyTorch side of docs/benchmarks.md: the same cases as `./convnext benchmark`, on the same machine.

Run with Debian's PyTorch and the OpenMP OpenBLAS (see docs/benchmarks.md for why):
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 docs/bench/pytorch_bench.py \
      --variant convnext_tiny --image-size 224 --batch 8 --mode train --threads 2
Prints median ms/step and images/s per phase, and the process's peak RSS.
"""
import argparse
import resource
import statistics
import time

import torch
from torch import nn
from torchvision.models import convnext as tvc

VARIANTS = {
    "convnext_atto": ((2, 2, 6, 2), (40, 80, 160, 320)),
    "convnext_femto": ((2, 2, 6, 2), (48, 96, 192, 384)),
    "convnext_pico": ((2, 2, 6, 2), (64, 128, 256, 512)),
    "convnext_nano": ((2, 2, 8, 2), (80, 160, 320, 640)),
    "convnext_tiny": ((3, 3, 9, 3), (96, 192, 384, 768)),
    "convnext_small": ((3, 3, 27, 3), (96, 192, 384, 768)),
    "convnext_base": ((3, 3, 27, 3), (128, 256, 512, 1024)),
}


def build(variant, classes, drop_path):
    depths, dims = VARIANTS[variant]
    setting = [tvc.CNBlockConfig(dims[i], dims[i + 1] if i < 3 else None, depths[i]) for i in range(4)]
    return tvc.ConvNeXt(setting, stochastic_depth_prob=drop_path, layer_scale=1e-6, num_classes=classes)


def timed(fn, warmup, steps):
    for _ in range(warmup):
        fn()
    ms = []
    for _ in range(steps):
        start = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - start) * 1000)
    return ms


def report(what, ms, batch):
    med = statistics.median(ms)
    print("%-17s median %8.1f ms/step (min %.1f, max %.1f)  %8.2f img/s" % (what, med, min(ms), max(ms), batch * 1000 / med))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--variant", default="convnext_tiny", choices=sorted(VARIANTS))
    p.add_argument("--image-size", type=int, default=224)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--mode", choices=("train", "infer"), default="infer")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--num-classes", type=int, default=1000)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    x = torch.randn(a.batch, 3, a.image_size, a.image_size)
    y = torch.arange(a.batch) % a.num_classes
    print("%s %dx%d batch %d, mode %s, torch %s, %d threads" % (a.variant, a.image_size, a.image_size, a.batch, a.mode,
                                                               torch.__version__, torch.get_num_threads()))
    if a.mode == "infer":
        model = build(a.variant, a.num_classes, 0.0).eval()
        with torch.no_grad():
            report("forward", timed(lambda: model(x), a.warmup, a.steps), a.batch)
    else:
        model = build(a.variant, a.num_classes, 0.1).train()
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.05)
        loss_fn = nn.CrossEntropyLoss()

        def forward():
            return loss_fn(model(x), y)

        def forward_backward():
            opt.zero_grad(set_to_none=True)
            forward().backward()

        def step():
            forward_backward()
            opt.step()

        report("forward", timed(forward, a.warmup, a.steps), a.batch)
        report("forward+backward", timed(forward_backward, a.warmup, a.steps), a.batch)
        report("train step", timed(step, a.warmup, a.steps), a.batch)
    print("peak RSS %.2f GiB" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20))


if __name__ == "__main__":
    main()
