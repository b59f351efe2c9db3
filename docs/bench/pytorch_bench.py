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


V2_VARIANTS = {
    "convnextv2_atto": ((2, 2, 6, 2), (40, 80, 160, 320)),
    "convnextv2_femto": ((2, 2, 6, 2), (48, 96, 192, 384)),
    "convnextv2_pico": ((2, 2, 6, 2), (64, 128, 256, 512)),
    "convnextv2_nano": ((2, 2, 8, 2), (80, 160, 320, 640)),
    "convnextv2_tiny": ((3, 3, 9, 3), (96, 192, 384, 768)),
}


class GRN(nn.Module):
    """ConvNeXt V2's global response normalisation, channels-last, as the official models/utils.py writes it."""

    def __init__(self, dim):
        super().__init__()
        self.gamma = nn.Parameter(torch.zeros(1, 1, 1, dim))
        self.beta = nn.Parameter(torch.zeros(1, 1, 1, dim))

    def forward(self, x):
        gx = torch.norm(x, p=2, dim=(1, 2), keepdim=True)
        nx = gx / (gx.mean(dim=-1, keepdim=True) + 1e-6)
        return self.gamma * (x * nx) + self.beta + x


class V2Block(nn.Module):
    """The official ConvNeXt V2 Block (models/convnextv2.py): dwconv, LayerNorm, Linear, GELU, GRN, Linear, drop path."""

    def __init__(self, dim, drop_path):
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, kernel_size=7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.pwconv1 = nn.Linear(dim, 4 * dim)
        self.act = nn.GELU()
        self.grn = GRN(4 * dim)
        self.pwconv2 = nn.Linear(4 * dim, dim)
        self.drop_path = drop_path

    def forward(self, x):
        y = self.dwconv(x).permute(0, 2, 3, 1)
        y = self.pwconv2(self.grn(self.act(self.pwconv1(self.norm(y))))).permute(0, 3, 1, 2)
        if self.training and self.drop_path > 0:
            keep = x.new_empty(x.shape[0], 1, 1, 1).bernoulli_(1 - self.drop_path)
            y = y * keep / (1 - self.drop_path)
        return x + y


class ChannelsFirstNorm(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, x):
        return self.norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


def build_v2(variant, classes, drop_path):
    depths, dims = V2_VARIANTS[variant]
    layers = [nn.Conv2d(3, dims[0], 4, 4), ChannelsFirstNorm(dims[0])]
    rates = torch.linspace(0, drop_path, sum(depths)).tolist()
    k = 0
    for i in range(4):
        if i > 0:
            layers += [ChannelsFirstNorm(dims[i - 1]), nn.Conv2d(dims[i - 1], dims[i], 2, 2)]
        for _ in range(depths[i]):
            layers.append(V2Block(dims[i], rates[k]))
            k += 1
    features = nn.Sequential(*layers)
    return nn.Sequential(features, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.LayerNorm(dims[3], eps=1e-6),
                         nn.Linear(dims[3], classes))


def build(variant, classes, drop_path):
    if variant in V2_VARIANTS:
        return build_v2(variant, classes, drop_path)
    depths, dims = VARIANTS[variant]
    setting = [tvc.CNBlockConfig(dims[i], dims[i + 1] if i < 3 else None, depths[i]) for i in range(4)]
    return tvc.ConvNeXt(setting, stochastic_depth_prob=drop_path, layer_scale=1e-6, num_classes=classes)


def host_cpu():
    """The CPU's model name and vector instruction sets, as ./convnext benchmark's "machine:" line gives them."""
    model, sets = "unknown", set()
    reported = {"avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni"}
    try:
        for line in open("/proc/cpuinfo"):
            key, _, value = line.partition(":")
            if key.strip() == "model name" and model == "unknown":
                model = value.strip()
            elif key.strip() == "flags" and not sets:
                sets = reported.intersection(value.split())
    except OSError:
        pass
    return "%s; %s" % (model, " ".join(sorted(sets)) if sets else "no AVX")


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
    print("%-17s median %8.1f ms/step (mean %.1f, min %.1f, max %.1f)  %8.2f img/s"
          % (what, med, statistics.mean(ms), min(ms), max(ms), batch * 1000 / med))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--variant", default="convnext_tiny", choices=sorted(VARIANTS) + sorted(V2_VARIANTS))
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
    print("machine: %s; torch %s" % (host_cpu(), torch.__version__))
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
