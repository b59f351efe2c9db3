"""PyTorch side of the data pipeline benchmark: torchvision ImageFolder + DataLoader over the same
folder, workers and batch size as `./convnext data benchmark`.

  /usr/bin/python3 docs/bench/torchvision_data_bench.py --root data/fashion-mnist-small --split train \
      --image-size 224 --workers 2 --batch 64 --epochs 2 [--transform eval|train]

--transform eval (default) is what `./convnext data benchmark` runs: Resize(int(size / crop_pct),
BICUBIC) + CenterCrop(size) (below 384 px; Resize((size, size)) from 384 up) + ToTensor + Normalize
with the ImageNet statistics.
--transform train is ConvNeXt's training recipe with torchvision stand-ins: RandomResizedCrop(size,
BICUBIC) + RandomHorizontalFlip + RandAugment(num_ops=2, magnitude=9) (standing in for timm's
rand-m9-mstd0.5-inc1) + ToTensor + Normalize + RandomErasing(p=0.25).

Each epoch is timed from creating the loader's iterator (worker start-up included, as in the Java
benchmark, whose threads start with each epoch) to its last batch. The loader shuffles, keeps the
last partial batch and does not pin memory. Prints images/s per epoch.
"""
import argparse
import time

import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms
from torchvision.transforms import InterpolationMode

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


def eval_transform(size, crop_pct):
    resize = (transforms.Resize((size, size), interpolation=InterpolationMode.BICUBIC) if size >= 384
              else transforms.Compose([
                  transforms.Resize(int(size / crop_pct), interpolation=InterpolationMode.BICUBIC),
                  transforms.CenterCrop(size)]))
    return transforms.Compose([resize, transforms.ToTensor(), transforms.Normalize(MEAN, STD)])


def train_transform(size):
    return transforms.Compose([
        transforms.RandomResizedCrop(size, interpolation=InterpolationMode.BICUBIC),
        transforms.RandomHorizontalFlip(),
        transforms.RandAugment(num_ops=2, magnitude=9),
        transforms.ToTensor(),
        transforms.Normalize(MEAN, STD),
        transforms.RandomErasing(p=0.25),
    ])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--split", default="train")
    parser.add_argument("--image-size", type=int, default=224)
    parser.add_argument("--crop-pct", type=float, default=0.875)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--transform", choices=("eval", "train"), default="eval")
    args = parser.parse_args()

    transform = (eval_transform(args.image_size, args.crop_pct) if args.transform == "eval"
                 else train_transform(args.image_size))
    folder = datasets.ImageFolder(f"{args.root}/{args.split}", transform=transform)
    loader = DataLoader(folder, batch_size=args.batch, shuffle=True, num_workers=args.workers,
                        drop_last=False, generator=torch.Generator().manual_seed(0))
    print(f"{folder.root}: {len(folder)} images, {len(folder.classes)} classes; {args.transform} transform at "
          f"{args.image_size} px, batch {args.batch}, {args.workers} workers; torch {torch.__version__}")
    for epoch in range(args.epochs):
        start = time.perf_counter()
        images = 0
        batches = 0
        for x, _ in loader:
            images += x.shape[0]
            batches += 1
        seconds = time.perf_counter() - start
        print(f"epoch {epoch}: {images} images in {batches} batches, {seconds:.2f} s, "
              f"{images / seconds:.1f} images/s")


if __name__ == "__main__":
    main()
