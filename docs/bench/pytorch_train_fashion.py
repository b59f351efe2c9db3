"""PyTorch side of the end-to-end comparison: configs/fashion_mnist.yaml's recipe in torch/torchvision.

Same folders, transforms, model (torchvision's ConvNeXt class with atto's depths and dims), AdamW
with the official no-decay groups, per-step warm-up + cosine schedule, label smoothing, batch size
and worker count. Prints images/s and val top-1 per epoch.
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 docs/bench/pytorch_train_fashion.py \
      --root data/fashion-mnist --threads 2
"""
import argparse
import math
import time

import numpy as np
import torch
from torch import nn
from torchvision import datasets, transforms
from torchvision.models import convnext as tvc

MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def cosine(base, final, epochs, steps_per_epoch, warmup_steps):
    warmup = np.linspace(0, base, warmup_steps)
    iters = np.arange(epochs * steps_per_epoch - warmup_steps)
    rest = final + 0.5 * (base - final) * (1 + np.cos(np.pi * iters / len(iters)))
    return np.concatenate((warmup, rest))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--root", default="data/fashion-mnist")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--image-size", type=int, default=32)
    p.add_argument("--scale-min", type=float, default=0.6)
    p.add_argument("--no-augment", action="store_true", help="train on each image resized whole, no crop or flip")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    rgb = transforms.Lambda(lambda im: im.convert("RGB"))
    train_tf = transforms.Compose([rgb, transforms.RandomResizedCrop(a.image_size, scale=(a.scale_min, 1.0),
                                   interpolation=transforms.InterpolationMode.BICUBIC),
                                   transforms.RandomHorizontalFlip(), transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
    if a.no_augment:
        train_tf = transforms.Compose([rgb, transforms.Resize((a.image_size, a.image_size),
                                       interpolation=transforms.InterpolationMode.BICUBIC),
                                       transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
    val_tf = transforms.Compose([rgb, transforms.Resize(a.image_size, interpolation=transforms.InterpolationMode.BICUBIC),
                                 transforms.CenterCrop(a.image_size), transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
    train = torch.utils.data.DataLoader(datasets.ImageFolder(a.root + "/train", train_tf), batch_size=a.batch, shuffle=True,
                                        num_workers=a.workers, drop_last=True, persistent_workers=True)
    val = torch.utils.data.DataLoader(datasets.ImageFolder(a.root + "/val", val_tf), batch_size=a.batch, num_workers=a.workers)
    setting = [tvc.CNBlockConfig(d, n, k) for d, n, k in ((40, 80, 2), (80, 160, 2), (160, 320, 6), (320, None, 2))]
    model = tvc.ConvNeXt(setting, stochastic_depth_prob=0.0, layer_scale=1e-6, num_classes=10)
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        (no_decay if param.ndim == 1 or name.endswith(".bias") or name.endswith("layer_scale") else decay).append(param)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}], lr=a.lr)
    lrs = cosine(a.lr, 1e-5, a.epochs, len(train), int(round(0.5 * len(train))))
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    step = 0
    for epoch in range(a.epochs):
        model.train()
        start = time.perf_counter()
        seen = 0
        for x, y in train:
            for g in opt.param_groups:
                g["lr"] = lrs[step]
            loss = loss_fn(model(x), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            seen += x.shape[0]
        seconds = time.perf_counter() - start
        model.eval()
        correct = total = 0
        with torch.no_grad():
            for x, y in val:
                correct += (model(x).argmax(1) == y).sum().item()
                total += y.numel()
        print("epoch %d/%d  %.0f img/s  %.0fs  val top-1 %.2f%%" % (epoch + 1, a.epochs, seen / seconds, seconds,
                                                                   100 * correct / total), flush=True)


if __name__ == "__main__":
    main()
