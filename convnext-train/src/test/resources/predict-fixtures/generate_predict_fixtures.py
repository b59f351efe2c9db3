"""PyTorch reference for `convnext predict` on real photos.

Runs torchvision's eval pipeline (Resize(int(size / crop_pct), bicubic) -> CenterCrop(size) ->
ToTensor -> Normalize(ImageNet mean/std)) and the perturbed test ConvNeXt of the model module's
fixtures over the test photos of the data module, in file-name order, and stores the float64
logits as .npy files.

Run from this folder with Debian's PyTorch:  /usr/bin/python3 generate_predict_fixtures.py
"""
import os
import sys

import numpy as np
import torch
from PIL import Image
from torchvision import transforms
from torchvision.models import convnext as tvc

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "convnext-model", "src", "test", "resources", "fixtures"))
import generate_fixtures as fx  # noqa: E402  (reuses its safetensors reader and the test config)

PHOTOS = os.path.join(ROOT, "convnext-data", "src", "test", "resources", "photos")
SIZE = 64
CROPS = (0.875, 1.0)


def main():
    weights, _ = fx.read_safetensors(os.path.join(os.path.dirname(fx.__file__), "convnext_test_torchvision.safetensors"))
    model = fx.build_torchvision_test_model()
    model.load_state_dict(weights, strict=True)
    model = model.double().eval()
    files = sorted(f for f in os.listdir(PHOTOS) if f.lower().endswith((".jpg", ".jpeg", ".png")))
    for crop in CROPS:
        tf = transforms.Compose([
            transforms.Resize(int(SIZE / crop), interpolation=transforms.InterpolationMode.BICUBIC),
            transforms.CenterCrop(SIZE),
            transforms.ToTensor(),
            transforms.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
        ])
        batch = torch.stack([tf(Image.open(os.path.join(PHOTOS, f)).convert("RGB")) for f in files]).double()
        with torch.no_grad():
            logits = model(batch).numpy()
        name = "photos_logits_s%d_c%s.npy" % (SIZE, crop)
        np.save(os.path.join(HERE, name), logits)
        print(name, files, "top-1", logits.argmax(1).tolist())


if __name__ == "__main__":
    main()
