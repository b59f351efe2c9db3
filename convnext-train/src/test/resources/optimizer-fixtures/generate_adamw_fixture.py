"""PyTorch reference for our AdamW: two optimizer steps on the perturbed test ConvNeXt of the model
module's fixtures, with the official recipe's parameter groups (no weight decay on biases, norm
weights and layer scale). Writes the weights after each step under official names.

Run from this folder with Debian's PyTorch:  /usr/bin/python3 generate_adamw_fixture.py
"""
import os
import sys

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "convnext-model", "src", "test", "resources", "fixtures"))
import generate_fixtures as fx  # noqa: E402

LR = 1e-3
WEIGHT_DECAY = 0.05
BETAS = (0.9, 0.999)
EPS = 1e-8
LABELS = [0, 3]


def main():
    fixtures = os.path.dirname(fx.__file__)
    weights, _ = fx.read_safetensors(os.path.join(fixtures, "convnext_test_torchvision.safetensors"))
    io, _ = fx.read_safetensors(os.path.join(fixtures, "convnext_test_io.safetensors"))
    model = fx.build_torchvision_test_model()
    model.load_state_dict(weights, strict=True)
    model = model.double().eval()   # eval: no stochastic depth, so the step is deterministic
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.ndim == 1 or name.endswith(".bias") or name.endswith("layer_scale") else decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=LR, betas=BETAS, eps=EPS)
    x = io["input"].double()
    y = torch.tensor(LABELS)
    out = {}
    for step in (1, 2):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        official = fx.torchvision_to_official({k: v.detach().float() for k, v in model.state_dict().items()})
        for k, v in official.items():
            out["step%d/%s" % (step, k)] = v
        print("step", step, "loss", loss.item())
    fx.write_safetensors(os.path.join(HERE, "adamw_two_steps.safetensors"), out,
                         {"lr": LR, "weight_decay": WEIGHT_DECAY, "betas": BETAS, "eps": EPS, "labels": LABELS})


if __name__ == "__main__":
    main()
