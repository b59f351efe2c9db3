#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for ConvNeXt V2 in convnext4j (issue #17).

How to run (from this folder, no network needed; ~30-60 s on 2 busy cores, most of it
instantiating the eight full-size variants for param_counts, huge included, ~2.7 GB RAM):

    /usr/bin/python3 generate_v2_fixtures.py

Requirements: torch (tested with Debian's python3-torch 1.13), numpy. No `safetensors`,
`timm` or MinkowskiEngine package is needed: safetensors files are written by
`write_safetensors` below (same writer as ../fixtures/generate_fixtures.py), the official
and timm models are small independent reimplementations written here, and the FCMAE
checkpoint is built from stand-in modules with the parameter names and shapes of
facebookresearch/ConvNeXt-V2's models/fcmae.py + models/convnextv2_sparse.py (the
MinkowskiEngine layers only hold parameters; nothing sparse is run).

Deterministic: every random draw uses a fixed seed, torch 1.13's torch.save writes no
timestamps, so rerunning rewrites byte-identical files (for the same torch build).

The script asserts that
  * the official-style model and an independently written timm-style model agree on the
    logits (and every stage output) from the mapped weights, for the nn.Linear MLP and for
    timm's conv_mlp form (1x1 Conv2d fc1/fc2, channels-first GRN), in float64 and float32;
  * every image's logits alone equal its logits in the batch (GRN statistics are per sample);
  * the FCMAE checkpoint, remapped the way main_finetune.py does it (drop decoder keys,
    remap_checkpoint_keys, non-strict load), gives back exactly the dense encoder weights, and
    leaves exactly norm.* and head.* missing;
  * every file reads back exactly (safetensors by the reader below, .pth by torch.load).

Outputs (in the folder of this script), see README.md for the full description:
  convnextv2_test_official.safetensors         perturbed test weights, official names
  convnextv2_test_timm.safetensors             same weights, timm names (nn.Linear fc1/fc2)
  convnextv2_test_timm_convmlp.safetensors     same weights, timm names, fc1/fc2 (out,in,1,1)
  convnextv2_test_io.safetensors               input, float64 references, float32 logits,
                                               per-image logits
  convnextv2_test_official.pth                 {"model": state_dict}, official names
  convnextv2_test_fcmae.pth                    FCMAE pre-training checkpoint (sparse names)
  convnextv2_test_fcmae_published.pth          the same encoder as published pt_only files
                                               are laid out (dense names, no encoder. prefix)
  convnextv2_test_fcmae_io.safetensors         references of the fine-tuning model after
                                               loading the FCMAE checkpoint
  v2_param_counts.json                         parameter counts of all V2 variants
"""
import argparse
import json
import math
import os
import re
import struct
import sys
from collections import OrderedDict

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

OUT_DIR = os.path.dirname(os.path.abspath(__file__))

# ----------------------------------------------------------------------------
# Test configuration (same shape as the V1 test config in ../fixtures)
# ----------------------------------------------------------------------------
DEPTHS = (1, 1, 2, 1)
DIMS = (8, 16, 24, 32)
NUM_CLASSES = 7
INPUT_SHAPE = (2, 3, 64, 64)
EPS = 1e-6                      # every LayerNorm and GRN

# FCMAE test checkpoint: decoder_embed_dim shrunk from 512 to 4 to keep the file small;
# patch_size must stay 32 (= the encoder's total stride), so pred has 32*32*3 outputs.
FCMAE_DECODER_DIM = 4
FCMAE_DECODER_DEPTH = 1
FCMAE_PATCH = 32

SEED_MODEL = 0          # official model's own init (overwritten anyway)
SEED_PERTURB = 1234     # parameter perturbation of the test model
SEED_INPUT = 4321       # input tensor (same seed as V1)
SEED_FCMAE = 5678       # perturbation of the FCMAE checkpoint's encoder and decoder


# ----------------------------------------------------------------------------
# safetensors I/O (minimal; as in ../fixtures/generate_fixtures.py)
# ----------------------------------------------------------------------------
_DT = {torch.float32: ("F32", "<f4", 4), torch.float64: ("F64", "<f8", 8)}


def write_safetensors(path, tensors, metadata=None):
    """tensors: dict name -> torch.Tensor (float32/float64). Written F64 first
    (keeps 8-byte alignment), then F32, each group sorted by name."""
    names = sorted(tensors, key=lambda n: (-_DT[tensors[n].dtype][2], n))
    header = OrderedDict()
    if metadata is not None:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs, off = [], 0
    for n in names:
        t = tensors[n].detach().cpu().contiguous()
        code, npdt, _ = _DT[t.dtype]
        b = np.ascontiguousarray(t.numpy().astype(npdt, copy=False)).tobytes()
        header[n] = {"dtype": code, "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    hj = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hj += b" " * ((8 - len(hj) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", None)
    data = raw[8 + n:]
    out = {}
    for name, info in header.items():
        npdt = {"F32": "<f4", "F64": "<f8"}[info["dtype"]]
        b, e = info["data_offsets"]
        arr = np.frombuffer(data[b:e], dtype=npdt).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out, meta


# ----------------------------------------------------------------------------
# Official-style ConvNeXt V2 (facebookresearch/ConvNeXt-V2 models/convnextv2.py,
# models/utils.py), written independently with the same parameter names and shapes
# ----------------------------------------------------------------------------
class ChannelsFirstLayerNorm(nn.Module):
    """LayerNorm over dim 1 of an NCHW tensor (biased variance), official 'channels_first'."""

    def __init__(self, c, eps=EPS, device=None):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c, device=device))
        self.bias = nn.Parameter(torch.zeros(c, device=device))
        self.eps = eps

    def forward(self, x):
        mu = x.mean(1, keepdim=True)
        var = (x - mu).pow(2).mean(1, keepdim=True)
        x = (x - mu) / torch.sqrt(var + self.eps)
        return self.weight[:, None, None] * x + self.bias[:, None, None]


class OfficialGRN(nn.Module):
    """Global Response Normalization on an NHWC tensor; gamma/beta are (1,1,1,C)."""

    def __init__(self, c, device=None):
        super().__init__()
        self.gamma = nn.Parameter(torch.zeros(1, 1, 1, c, device=device))
        self.beta = nn.Parameter(torch.zeros(1, 1, 1, c, device=device))

    def forward(self, x):
        g = torch.norm(x, p=2, dim=(1, 2), keepdim=True)       # (N,1,1,C): L2 over H,W
        n = g / (g.mean(dim=-1, keepdim=True) + EPS)           # divided by mean over C
        return self.gamma * (x * n) + self.beta + x


class OfficialBlock(nn.Module):
    """dwconv7x7 -> permute NHWC -> LN -> pwconv1 -> GELU -> GRN -> pwconv2 -> permute -> + input.
    No layer scale (no gamma) in V2."""

    def __init__(self, d, device=None):
        super().__init__()
        self.dwconv = nn.Conv2d(d, d, 7, padding=3, groups=d, device=device)
        self.norm = nn.LayerNorm(d, eps=EPS, device=device)
        self.pwconv1 = nn.Linear(d, 4 * d, device=device)
        self.act = nn.GELU()
        self.grn = OfficialGRN(4 * d, device=device)
        self.pwconv2 = nn.Linear(4 * d, d, device=device)

    def forward(self, inp):
        x = self.dwconv(inp)
        x = x.permute(0, 2, 3, 1)
        x = self.norm(x)
        x = self.pwconv1(x)
        x = self.act(x)  # exact (erf) GELU
        x = self.grn(x)
        x = self.pwconv2(x)
        x = x.permute(0, 3, 1, 2)
        return inp + x


class OfficialConvNeXtV2(nn.Module):
    def __init__(self, depths, dims, num_classes=1000, in_chans=3, device=None):
        super().__init__()
        self.depths = list(depths)
        self.downsample_layers = nn.ModuleList()
        self.downsample_layers.append(nn.Sequential(
            nn.Conv2d(in_chans, dims[0], 4, stride=4, device=device),
            ChannelsFirstLayerNorm(dims[0], device=device)))
        for i in range(3):
            self.downsample_layers.append(nn.Sequential(
                ChannelsFirstLayerNorm(dims[i], device=device),
                nn.Conv2d(dims[i], dims[i + 1], 2, stride=2, device=device)))
        self.stages = nn.ModuleList(
            nn.Sequential(*[OfficialBlock(dims[i], device=device) for _ in range(depths[i])])
            for i in range(4))
        self.norm = nn.LayerNorm(dims[-1], eps=EPS, device=device)
        self.head = nn.Linear(dims[-1], num_classes, device=device)

    def forward_with_intermediates(self, x):
        inter = OrderedDict()
        for i in range(4):
            x = self.downsample_layers[i](x)
            if i == 0:
                inter["stem"] = x
            x = self.stages[i](x)
            inter["stage%d" % i] = x
        feats = self.norm(x.mean([-2, -1]))
        inter["features"] = feats
        return self.head(feats), inter

    def forward(self, x):
        return self.forward_with_intermediates(x)[0]


# ----------------------------------------------------------------------------
# timm-style ConvNeXt V2 (timm/models/convnext.py with use_grn=True, ls_init_value=None,
# timm/layers/mlp.py GlobalResponseNormMlp, timm/layers/grn.py), written independently
# ----------------------------------------------------------------------------
class TimmLayerNorm2d(nn.LayerNorm):
    """timm LayerNorm2d: permute to NHWC, F.layer_norm over C, permute back."""

    def __init__(self, c, eps=EPS, device=None):
        super().__init__(c, eps=eps, device=device)

    def forward(self, x):
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class TimmGRN(nn.Module):
    """timm GlobalResponseNorm: weight/bias (C,), channels-last (NHWC) or channels-first (NCHW)."""

    def __init__(self, c, channels_last=True, device=None):
        super().__init__()
        self.channels_last = channels_last
        self.weight = nn.Parameter(torch.zeros(c, device=device))
        self.bias = nn.Parameter(torch.zeros(c, device=device))

    def forward(self, x):
        if self.channels_last:
            spatial, chan, shape = (1, 2), -1, (1, 1, 1, -1)
        else:
            spatial, chan, shape = (2, 3), 1, (1, -1, 1, 1)
        x_g = x.norm(p=2, dim=spatial, keepdim=True)
        x_n = x_g / (x_g.mean(dim=chan, keepdim=True) + EPS)
        return x + torch.addcmul(self.bias.view(shape), self.weight.view(shape), x * x_n)


class TimmGrnMlp(nn.Module):
    def __init__(self, d, hidden, use_conv, device=None):
        super().__init__()
        if use_conv:
            self.fc1 = nn.Conv2d(d, hidden, 1, device=device)
            self.fc2 = nn.Conv2d(hidden, d, 1, device=device)
        else:
            self.fc1 = nn.Linear(d, hidden, device=device)
            self.fc2 = nn.Linear(hidden, d, device=device)
        self.act = nn.GELU()
        self.grn = TimmGRN(hidden, channels_last=not use_conv, device=device)
        # registration order in timm: fc1, act, drop1, grn, fc2, drop2
        self._modules.move_to_end("fc2")

    def forward(self, x):
        return self.fc2(self.grn(self.act(self.fc1(x))))


class TimmBlock(nn.Module):
    def __init__(self, d, conv_mlp, device=None):
        super().__init__()
        self.conv_mlp = conv_mlp
        self.conv_dw = nn.Conv2d(d, d, 7, padding=3, groups=d, device=device)
        self.norm = TimmLayerNorm2d(d, device=device) if conv_mlp else nn.LayerNorm(d, eps=EPS, device=device)
        self.mlp = TimmGrnMlp(d, 4 * d, conv_mlp, device=device)

    def forward(self, x):
        shortcut = x
        x = self.conv_dw(x)
        if self.conv_mlp:
            x = self.mlp(self.norm(x))
        else:
            x = self.mlp(self.norm(x.permute(0, 2, 3, 1))).permute(0, 3, 1, 2)
        return x + shortcut


class TimmStage(nn.Module):
    def __init__(self, cin, cout, depth, conv_mlp, device=None):
        super().__init__()
        if cin != cout:
            self.downsample = nn.Sequential(TimmLayerNorm2d(cin, device=device),
                                            nn.Conv2d(cin, cout, 2, stride=2, device=device))
        else:
            self.downsample = nn.Identity()
        self.blocks = nn.Sequential(*[TimmBlock(cout, conv_mlp, device=device) for _ in range(depth)])

    def forward(self, x):
        return self.blocks(self.downsample(x))


class TimmHead(nn.Module):
    """NormMlpClassifierHead without hidden layer: avg pool -> LayerNorm2d -> flatten -> fc."""

    def __init__(self, c, num_classes, device=None):
        super().__init__()
        self.norm = TimmLayerNorm2d(c, device=device)
        self.fc = nn.Linear(c, num_classes, device=device)

    def forward(self, x):
        x = self.norm(x.mean((2, 3), keepdim=True)).flatten(1)
        return self.fc(x)


class TimmConvNeXtV2(nn.Module):
    def __init__(self, depths, dims, num_classes=1000, conv_mlp=False, in_chans=3, device=None):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(in_chans, dims[0], 4, stride=4, device=device),
                                  TimmLayerNorm2d(dims[0], device=device))
        prev, stages = dims[0], []
        for i in range(4):
            stages.append(TimmStage(prev, dims[i], depths[i], conv_mlp, device=device))
            prev = dims[i]
        self.stages = nn.Sequential(*stages)
        self.head = TimmHead(dims[-1], num_classes, device=device)

    def forward_with_intermediates(self, x):
        inter = OrderedDict()
        x = self.stem(x)
        inter["stem"] = x
        for i, s in enumerate(self.stages):
            x = s(x)
            inter["stage%d" % i] = x
        return self.head(x), inter

    def forward(self, x):
        return self.forward_with_intermediates(x)[0]


# ----------------------------------------------------------------------------
# FCMAE stand-ins: the parameter layout of models/fcmae.py (FCMAE) with the encoder of
# models/convnextv2_sparse.py (SparseConvNeXtV2) and MinkowskiEngine layers
# ----------------------------------------------------------------------------
class MinkowskiConvLike(nn.Module):
    """MinkowskiConvolution: kernel (kernel_volume, in, out), bias (1, out)."""

    def __init__(self, cin, cout, ks):
        super().__init__()
        self.kernel = nn.Parameter(torch.zeros(ks * ks, cin, cout))
        self.bias = nn.Parameter(torch.zeros(1, cout))


class MinkowskiDepthwiseConvLike(nn.Module):
    """MinkowskiDepthwiseConvolution: kernel (kernel_volume, C), bias (1, C)."""

    def __init__(self, c, ks):
        super().__init__()
        self.kernel = nn.Parameter(torch.zeros(ks * ks, c))
        self.bias = nn.Parameter(torch.zeros(1, c))


class MinkowskiLayerNormLike(nn.Module):
    """models/utils.py MinkowskiLayerNorm: wraps nn.LayerNorm as self.ln."""

    def __init__(self, c):
        super().__init__()
        self.ln = nn.LayerNorm(c, eps=EPS)


class MinkowskiLinearLike(nn.Module):
    """MinkowskiLinear: wraps nn.Linear as self.linear."""

    def __init__(self, cin, cout):
        super().__init__()
        self.linear = nn.Linear(cin, cout)


class MinkowskiGRNLike(nn.Module):
    """models/utils.py MinkowskiGRN: gamma/beta (1, C)."""

    def __init__(self, c):
        super().__init__()
        self.gamma = nn.Parameter(torch.zeros(1, c))
        self.beta = nn.Parameter(torch.zeros(1, c))


class SparseBlockLike(nn.Module):
    def __init__(self, d):
        super().__init__()
        # registration order of convnextv2_sparse.Block: dwconv, norm, pwconv1, act, pwconv2, grn
        self.dwconv = MinkowskiDepthwiseConvLike(d, 7)
        self.norm = MinkowskiLayerNormLike(d)
        self.pwconv1 = MinkowskiLinearLike(d, 4 * d)
        self.pwconv2 = MinkowskiLinearLike(4 * d, d)
        self.grn = MinkowskiGRNLike(4 * d)


class SparseEncoderLike(nn.Module):
    def __init__(self, depths, dims, in_chans=3):
        super().__init__()
        self.downsample_layers = nn.ModuleList()
        self.downsample_layers.append(nn.Sequential(
            nn.Conv2d(in_chans, dims[0], 4, stride=4), ChannelsFirstLayerNorm(dims[0])))
        for i in range(3):
            self.downsample_layers.append(nn.Sequential(
                MinkowskiLayerNormLike(dims[i]), MinkowskiConvLike(dims[i], dims[i + 1], 2)))
        self.stages = nn.ModuleList(
            nn.Sequential(*[SparseBlockLike(dims[i]) for _ in range(depths[i])]) for i in range(4))


class FCMAELike(nn.Module):
    def __init__(self, depths, dims, decoder_dim, decoder_depth, patch_size, in_chans=3):
        super().__init__()
        self.encoder = SparseEncoderLike(depths, dims, in_chans)
        self.proj = nn.Conv2d(dims[-1], decoder_dim, 1)
        self.mask_token = nn.Parameter(torch.zeros(1, decoder_dim, 1, 1))
        self.decoder = nn.Sequential(*[OfficialBlock(decoder_dim) for _ in range(decoder_depth)])
        self.pred = nn.Conv2d(decoder_dim, patch_size ** 2 * in_chans, 1)


# ----------------------------------------------------------------------------
# Perturbation and name/layout mappings
# ----------------------------------------------------------------------------
@torch.no_grad()
def perturb(model, seed):
    """Every parameter to non-trivial values; GRN gamma/beta ~N(0,0.5), never all zero."""
    g = torch.Generator().manual_seed(seed)
    touched = set()
    for mname, mod in model.named_modules():
        pre = mname + "." if mname else ""
        if isinstance(mod, (nn.Conv2d, nn.Linear)):
            mod.weight.copy_(torch.randn(mod.weight.shape, generator=g) * 0.2)
            mod.bias.copy_(torch.randn(mod.bias.shape, generator=g) * 0.1)
            touched |= {pre + "weight", pre + "bias"}
        elif isinstance(mod, (nn.LayerNorm, ChannelsFirstLayerNorm)):
            mod.weight.copy_(1.0 + torch.randn(mod.weight.shape, generator=g) * 0.2)
            mod.bias.copy_(torch.randn(mod.bias.shape, generator=g) * 0.1)
            touched |= {pre + "weight", pre + "bias"}
        elif isinstance(mod, OfficialGRN):
            mod.gamma.copy_(torch.randn(mod.gamma.shape, generator=g) * 0.5)
            mod.beta.copy_(torch.randn(mod.beta.shape, generator=g) * 0.5)
            touched |= {pre + "gamma", pre + "beta"}
    for name, p in model.named_parameters():
        if "mask_token" in name:
            p.copy_(torch.randn(p.shape, generator=g) * 0.2)
            touched.add(name)
    all_params = {n for n, _ in model.named_parameters()}
    assert touched == all_params, (all_params - touched, touched - all_params)
    for n, p in model.named_parameters():
        assert (p != 0).all(), n


def official_to_timm(sd, conv_mlp=False):
    """Official V2 names -> timm names, following timm's convnext checkpoint_filter_fn:
    downsample_layers.0 -> stem, stages.S.B -> stages.S.blocks.B, downsample_layers.S.I ->
    stages.S.downsample.I, dwconv -> conv_dw, pwconv -> mlp.fc, grn.gamma -> mlp.grn.weight,
    grn.beta -> mlp.grn.bias (reshaped to (C,)), head. -> head.fc., norm. -> head.norm.;
    with conv_mlp, 2-D non-head weights are reshaped to the model's (out,in,1,1)."""
    out = OrderedDict()
    for k, v in sd.items():
        k = k.replace("downsample_layers.0.", "stem.")
        k = re.sub(r"stages\.([0-9]+)\.([0-9]+)", r"stages.\1.blocks.\2", k)
        k = re.sub(r"downsample_layers\.([0-9]+)\.([0-9]+)", r"stages.\1.downsample.\2", k)
        k = k.replace("dwconv", "conv_dw")
        k = k.replace("pwconv", "mlp.fc")
        if "grn" in k:
            k = k.replace("grn.beta", "mlp.grn.bias").replace("grn.gamma", "mlp.grn.weight")
            v = v.reshape(v.shape[-1])
        k = k.replace("head.", "head.fc.")
        if k.startswith("norm."):
            k = "head." + k
        if conv_mlp and v.ndim == 2 and "head" not in k:
            v = v.reshape(v.shape[0], v.shape[1], 1, 1)
        out[k] = v.clone()
    return out


def dense_conv_to_kernel(w):
    """Inverse of remap_checkpoint_keys for a dense conv weight (out,in,k,k) -> (k*k,in,out).
    remap: W = kernel.permute(2,1,0).reshape(out,in,k,k).transpose(3,2), i.e.
    W[o,i,h,w] = kernel[w*k + h, i, o]."""
    o, i, kh, kw = w.shape
    assert kh == kw
    return w.transpose(3, 2).reshape(o, i, kh * kw).permute(2, 1, 0).contiguous()


def dense_dw_to_kernel(w):
    """Inverse for a depthwise weight (C,1,k,k) -> (k*k,C); W[c,0,h,w] = kernel[w*k + h, c]."""
    c, one, kh, kw = w.shape
    assert one == 1 and kh == kw
    return w.transpose(3, 2).reshape(c, kh * kw).permute(1, 0).contiguous()


def official_encoder_to_fcmae(sd):
    """Official dense names -> FCMAE encoder names and layouts (encoder.* of FCMAE.state_dict())."""
    out = OrderedDict()
    for k, v in sd.items():
        if k.startswith(("norm.", "head.")):
            continue
        p = k.split(".")
        if p[0] == "downsample_layers" and p[1] != "0":
            if p[2] == "0":           # MinkowskiLayerNorm
                nk, nv = "%s.%s.0.ln.%s" % (p[0], p[1], p[3]), v
            elif p[3] == "weight":    # MinkowskiConvolution
                nk, nv = "%s.%s.1.kernel" % (p[0], p[1]), dense_conv_to_kernel(v)
            else:
                nk, nv = "%s.%s.1.bias" % (p[0], p[1]), v.reshape(1, -1)
        elif p[0] == "stages":
            sub, leaf = p[3], p[4]
            pre = "stages.%s.%s." % (p[1], p[2])
            if sub == "dwconv":
                nk, nv = (pre + "dwconv.kernel", dense_dw_to_kernel(v)) if leaf == "weight" \
                    else (pre + "dwconv.bias", v.reshape(1, -1))
            elif sub == "norm":
                nk, nv = pre + "norm.ln." + leaf, v
            elif sub in ("pwconv1", "pwconv2"):
                nk, nv = pre + sub + ".linear." + leaf, v
            elif sub == "grn":
                nk, nv = pre + "grn." + leaf, v.reshape(1, -1)
            else:
                raise KeyError(k)
        else:                         # stem: dense Conv2d + channels_first LayerNorm
            nk, nv = k, v
        out["encoder." + nk] = nv.clone()
    return out


def remap_like_official(ckpt):
    """Re-statement of ConvNeXt-V2 utils.py remap_checkpoint_keys (same behaviour):
    strip a leading 'encoder.'; '<m>.kernel' -> '<m>.weight' reshaped (3-D: standard conv,
    2-D: depthwise); any key containing the substring 'ln' or 'linear' loses its
    second-to-last component; then every '*bias' that is not 1-D is flattened and every key
    containing 'grn' gets v.unsqueeze(0).unsqueeze(1)."""
    new = OrderedDict()
    for k, v in ckpt.items():
        if k.startswith("encoder"):
            k = ".".join(k.split(".")[1:])
        if k.endswith("kernel"):
            k = ".".join(k.split(".")[:-1]) + ".weight"
            if v.dim() == 3:
                kv, cin, cout = v.shape
                ks = int(math.sqrt(kv))
                new[k] = v.permute(2, 1, 0).reshape(cout, cin, ks, ks).transpose(3, 2)
            elif v.dim() == 2:
                kv, c = v.shape
                ks = int(math.sqrt(kv))
                new[k] = v.permute(1, 0).reshape(c, 1, ks, ks).transpose(3, 2)
            continue
        if "ln" in k or "linear" in k:
            parts = k.split(".")
            parts.pop(-2)
            k = ".".join(parts)
        new[k] = v
    for k, v in list(new.items()):
        if k.endswith("bias") and v.dim() != 1:
            new[k] = v.reshape(-1)
        elif "grn" in k:
            new[k] = v.unsqueeze(0).unsqueeze(1)
    return new


def finetune_load(model, ckpt_model):
    """What main_finetune.py does with --finetune: drop head.* of another shape (none here),
    drop keys containing decoder/mask_token/proj/pred, remap, non-strict load."""
    ck = OrderedDict((k, v) for k, v in ckpt_model.items()
                     if not any(s in k for s in ("decoder", "mask_token", "proj", "pred")))
    remapped = remap_like_official(ck)
    res = model.load_state_dict(remapped, strict=False)
    return remapped, sorted(res.missing_keys), sorted(res.unexpected_keys)


def nparams(m):
    return sum(p.numel() for p in m.parameters())


def state_dict_f32(model):
    """model.state_dict() (with its _metadata) with cloned float32 tensors."""
    sd = model.state_dict()
    out = OrderedDict((k, v.detach().clone().float()) for k, v in sd.items())
    out._metadata = sd._metadata
    return out


def maxdiff(a, b):
    return (a - b).abs().max().item()


# ----------------------------------------------------------------------------
# Variants
# ----------------------------------------------------------------------------
V2_VARIANTS = OrderedDict([
    # name: (depths, dims, timm conv_mlp, in official convnextv2.py)
    ("convnextv2_atto", ((2, 2, 6, 2), (40, 80, 160, 320), True, True)),
    ("convnextv2_femto", ((2, 2, 6, 2), (48, 96, 192, 384), True, True)),
    ("convnextv2_pico", ((2, 2, 6, 2), (64, 128, 256, 512), True, True)),
    ("convnextv2_nano", ((2, 2, 8, 2), (80, 160, 320, 640), True, True)),
    ("convnextv2_tiny", ((3, 3, 9, 3), (96, 192, 384, 768), False, True)),
    ("convnextv2_small", ((3, 3, 27, 3), (96, 192, 384, 768), False, False)),
    ("convnextv2_base", ((3, 3, 27, 3), (128, 256, 512, 1024), False, True)),
    ("convnextv2_large", ((3, 3, 27, 3), (192, 384, 768, 1536), False, True)),
    ("convnextv2_huge", ((3, 3, 27, 3), (352, 704, 1408, 2816), False, True)),
])


def param_counts(test_off, fcmae_like):
    counts = OrderedDict()
    off, tm = OrderedDict(), OrderedDict()
    for name, (dp, dm, conv_mlp, in_official) in V2_VARIANTS.items():
        torch.manual_seed(0)
        m = OfficialConvNeXtV2(dp, dm, 1000)          # real CPU instantiation (huge ~2.6 GB)
        n = nparams(m)
        n_grn = sum(p.numel() for k, p in m.named_parameters() if ".grn." in k)
        n_normhead = sum(p.numel() for k, p in m.named_parameters() if k.startswith(("norm.", "head.")))
        n_tensors = len(m.state_dict())
        del m
        t = TimmConvNeXtV2(dp, dm, 1000, conv_mlp=conv_mlp, device="meta")
        nt = nparams(t)
        nt_tensors = len(t.state_dict())
        del t
        assert nt == n and nt_tensors == n_tensors, (name, n, nt)
        entry = OrderedDict(depths=list(dp), dims=list(dm), params=n,
                            encoder_params_no_norm_no_head=n - n_normhead,
                            grn_params=n_grn, state_dict_tensors=n_tensors)
        if in_official:
            off[name] = entry
        tm[name] = OrderedDict(depths=list(dp), dims=list(dm), conv_mlp=conv_mlp, params=nt,
                               encoder_params_no_norm_no_head=n - n_normhead,
                               state_dict_tensors=nt_tensors)
    counts["official_1000_classes"] = off
    counts["timm_1000_classes"] = tm
    counts["test_config"] = OrderedDict(
        depths=list(DEPTHS), dims=list(DIMS), num_classes=NUM_CLASSES,
        params=nparams(test_off), state_dict_tensors=len(test_off.state_dict()),
        fcmae_checkpoint=OrderedDict(decoder_embed_dim=FCMAE_DECODER_DIM, decoder_depth=FCMAE_DECODER_DEPTH,
                                     patch_size=FCMAE_PATCH, params=nparams(fcmae_like),
                                     state_dict_tensors=len(fcmae_like.state_dict()),
                                     encoder_params=nparams(fcmae_like.encoder)))
    counts["notes"] = ("params counted by instantiating generate_v2_fixtures.py's OfficialConvNeXtV2 "
                       "(official) and TimmConvNeXtV2 (timm) with 1000 classes, torch %s. "
                       "convnextv2_small exists only in timm. The official README rounds: atto 3.7M, "
                       "femto 5.2M, pico 9.1M, nano 15.6M, tiny 28.6M, base 89M, large 198M, huge 660M."
                       % torch.__version__)
    return counts


# ----------------------------------------------------------------------------
def main():
    torch.set_num_threads(1)   # shared 2-core machine
    summary = []
    meta = {"format": "pt"}

    # 1. official-style test model, perturbed
    torch.manual_seed(SEED_MODEL)
    off = OfficialConvNeXtV2(DEPTHS, DIMS, NUM_CLASSES).eval()
    perturb(off, SEED_PERTURB)
    off_sd = state_dict_f32(off)
    assert len(off_sd) == len(list(off.parameters())), "unexpected buffers"

    # 2. timm names, Linear and conv_mlp forms; strict loads check nothing is dropped
    timm_sd = official_to_timm(off_sd)
    timm_cm_sd = official_to_timm(off_sd, conv_mlp=True)
    tm = TimmConvNeXtV2(DEPTHS, DIMS, NUM_CLASSES).eval()
    tm.load_state_dict(timm_sd, strict=True)
    tmc = TimmConvNeXtV2(DEPTHS, DIMS, NUM_CLASSES, conv_mlp=True).eval()
    tmc.load_state_dict(timm_cm_sd, strict=True)
    for model, sd in ((tm, timm_sd), (tmc, timm_cm_sd)):
        assert set(model.state_dict()) == set(sd)
        for k, v in model.state_dict().items():
            assert v.shape == sd[k].shape, k
    # timm's own key order (stem, then per stage downsample + blocks, then head)
    timm_sd = OrderedDict((k, timm_sd[k]) for k in tm.state_dict())
    timm_cm_sd = OrderedDict((k, timm_cm_sd[k]) for k in tmc.state_dict())

    # 3. forwards
    g = torch.Generator().manual_seed(SEED_INPUT)
    x32 = torch.randn(INPUT_SHAPE, generator=g, dtype=torch.float32)
    x64 = x32.double()
    with torch.no_grad():
        logits32, _ = off.forward_with_intermediates(x32)
        logits32_tm = tm(x32)
        logits32_tmc = tmc(x32)
        off64 = OfficialConvNeXtV2(DEPTHS, DIMS, NUM_CLASSES)
        off64.load_state_dict(off_sd)
        off64 = off64.double().eval()
        logits64, inter64 = off64.forward_with_intermediates(x64)
        tm64 = TimmConvNeXtV2(DEPTHS, DIMS, NUM_CLASSES)
        tm64.load_state_dict(timm_sd)
        tm64 = tm64.double().eval()
        tmc64 = TimmConvNeXtV2(DEPTHS, DIMS, NUM_CLASSES, conv_mlp=True)
        tmc64.load_state_dict(timm_cm_sd)
        tmc64 = tmc64.double().eval()
        l64_tm, i64_tm = tm64.forward_with_intermediates(x64)
        l64_tmc, i64_tmc = tmc64.forward_with_intermediates(x64)
        logits_single = torch.cat([off64(x64[i:i + 1]) for i in range(x64.shape[0])])
        logits_single32 = torch.cat([off(x32[i:i + 1]) for i in range(x32.shape[0])])

    d = OrderedDict()
    d["official vs timm f32"] = maxdiff(logits32, logits32_tm)
    d["official vs timm-convmlp f32"] = maxdiff(logits32, logits32_tmc)
    d["official vs timm f64"] = maxdiff(logits64, l64_tm)
    d["official vs timm-convmlp f64"] = maxdiff(logits64, l64_tmc)
    assert d["official vs timm f32"] < 1e-5 and d["official vs timm-convmlp f32"] < 1e-5, d
    assert d["official vs timm f64"] < 1e-10 and d["official vs timm-convmlp f64"] < 1e-10, d
    for k in i64_tm:
        assert maxdiff(inter64[k], i64_tm[k]) < 1e-10, k
        assert maxdiff(inter64[k], i64_tmc[k]) < 1e-10, k
    d["batch vs single f64"] = maxdiff(logits64, logits_single)
    d["batch vs single f32"] = maxdiff(logits32, logits_single32)
    assert d["batch vs single f64"] < 1e-12, d
    assert d["batch vs single f32"] < 1e-5, d
    d["float32 vs float64 logits"] = maxdiff(logits32.double(), logits64)
    for k, v in d.items():
        summary.append("%-32s max|diff| = %.3g" % (k, v))
    for k, v in inter64.items():
        summary.append("%-9s %-16s std %.3f  max|x| %.3f" % (k, list(v.shape), v.std().item(), v.abs().max().item()))

    # A GRN dropped (gamma=beta=0) or mis-mapped must move the logits noticeably.
    with torch.no_grad():
        no_grn = OfficialConvNeXtV2(DEPTHS, DIMS, NUM_CLASSES).double().eval()
        no_grn.load_state_dict(off_sd)
        for n, p in no_grn.named_parameters():
            if ".grn." in n:
                p.zero_()
        d_nogrn = maxdiff(no_grn(x64), logits64)
        swapped = OfficialConvNeXtV2(DEPTHS, DIMS, NUM_CLASSES).double().eval()
        sw = OrderedDict(off_sd)
        for n in off_sd:
            if n.endswith("grn.gamma"):
                b = n[:-len("gamma")] + "beta"
                sw[n], sw[b] = off_sd[b], off_sd[n]
        swapped.load_state_dict(sw)
        d_swap = maxdiff(swapped(x64), logits64)
    assert d_nogrn > 0.1 and d_swap > 0.1, (d_nogrn, d_swap)
    summary.append("logits change if GRN zeroed: %.3g; if gamma<->beta swapped: %.3g" % (d_nogrn, d_swap))

    # 4. safetensors weights and io
    write_safetensors(os.path.join(OUT_DIR, "convnextv2_test_official.safetensors"), off_sd, meta)
    write_safetensors(os.path.join(OUT_DIR, "convnextv2_test_timm.safetensors"), timm_sd, meta)
    write_safetensors(os.path.join(OUT_DIR, "convnextv2_test_timm_convmlp.safetensors"), timm_cm_sd, meta)
    io = OrderedDict()
    io["input"] = x32
    for k in ("stem", "stage0", "stage1", "stage2", "stage3"):
        io[k] = inter64[k]
    io["logits"] = logits64
    io["logits_f32"] = logits32.float()
    io["logits_single"] = logits_single
    io_meta = {
        "format": "pt",
        "model": "convnextv2",
        "depths": ",".join(map(str, DEPTHS)),
        "dims": ",".join(map(str, DIMS)),
        "num_classes": str(NUM_CLASSES),
        "torch": torch.__version__,
    }
    write_safetensors(os.path.join(OUT_DIR, "convnextv2_test_io.safetensors"), io, io_meta)

    # 5. official fine-tuned checkpoint form: torch.save({"model": state_dict})
    pth = os.path.join(OUT_DIR, "convnextv2_test_official.pth")
    torch.save({"model": off_sd}, pth)

    # 6. FCMAE pre-training checkpoint (other weights: its own seed)
    torch.manual_seed(SEED_MODEL)
    fc_dense = OfficialConvNeXtV2(DEPTHS, DIMS, NUM_CLASSES)
    fcm = FCMAELike(DEPTHS, DIMS, FCMAE_DECODER_DIM, FCMAE_DECODER_DEPTH, FCMAE_PATCH)
    # one perturbation draw for encoder+decoder: perturb a module holding both
    holder = nn.Module()
    holder.encoder = fc_dense
    holder.proj = fcm.proj
    holder.mask_token = fcm.mask_token
    holder.decoder = fcm.decoder
    holder.pred = fcm.pred
    perturb(holder, SEED_FCMAE)
    enc_dense = OrderedDict((k, v.detach().clone().float()) for k, v in fc_dense.state_dict().items()
                            if not k.startswith(("norm.", "head.")))
    enc_sparse = official_encoder_to_fcmae(enc_dense)
    with torch.no_grad():
        fsd = fcm.state_dict()
        assert set(enc_sparse) == {k for k in fsd if k.startswith("encoder.")}, \
            set(enc_sparse) ^ {k for k in fsd if k.startswith("encoder.")}
        for k, v in enc_sparse.items():
            assert fsd[k].shape == v.shape, (k, fsd[k].shape, v.shape)
        fcm.load_state_dict(OrderedDict(list(enc_sparse.items()) + [(k, v) for k, v in fsd.items()
                                                                   if not k.startswith("encoder.")]),
                            strict=True)
    fcmae_sd = state_dict_f32(fcm)
    assert list(fcmae_sd)[0] == "mask_token"
    fcmae_args = argparse.Namespace(
        model="convnextv2_test", batch_size=64, update_freq=1, epochs=800, warmup_epochs=40,
        input_size=64, mask_ratio=0.6, norm_pix_loss=False, decoder_depth=FCMAE_DECODER_DEPTH,
        decoder_embed_dim=FCMAE_DECODER_DIM, weight_decay=0.05, blr=1.5e-4, lr=None, min_lr=0.0)
    fcmae_ckpt = {"model": fcmae_sd, "epoch": 799, "args": fcmae_args,
                  "scaler": {"scale": 65536.0, "growth_factor": 2.0, "backoff_factor": 0.5,
                             "growth_interval": 2000, "_growth_tracker": 0}}
    fpth = os.path.join(OUT_DIR, "convnextv2_test_fcmae.pth")
    torch.save(fcmae_ckpt, fpth)

    # 6b. the layout of the published pt_only checkpoints (dense names, no 'encoder.' prefix,
    # no decoder, no norm/head, GRN (1,C)) -- see FACTS.md for what is and is not verified
    published = OrderedDict()
    for k, v in enc_dense.items():
        published[k] = v.reshape(1, -1).clone() if ".grn." in k else v.clone()
    ppth = os.path.join(OUT_DIR, "convnextv2_test_fcmae_published.pth")
    torch.save({"model": published}, ppth)

    # 7. load both as main_finetune.py does; check weights and missing keys; references
    refs = None
    for label, ckmodel in (("fcmae", fcmae_sd), ("published", published)):
        ft = OfficialConvNeXtV2(DEPTHS, DIMS, NUM_CLASSES).eval()
        remapped, missing, unexpected = finetune_load(ft, ckmodel)
        assert missing == ["head.bias", "head.weight", "norm.bias", "norm.weight"], (label, missing)
        assert unexpected == [], (label, unexpected)
        assert set(remapped) == set(enc_dense), label
        for k, v in enc_dense.items():
            assert remapped[k].shape == off_sd[k].shape, (label, k)
            assert torch.equal(remapped[k].contiguous(), v), (label, k)
        with torch.no_grad():
            ft64 = OfficialConvNeXtV2(DEPTHS, DIMS, NUM_CLASSES).double().eval()
            ft64.load_state_dict(OrderedDict((k, v.contiguous()) for k, v in remapped.items()), strict=False)
            assert torch.equal(ft64.norm.weight, torch.ones(DIMS[-1], dtype=torch.float64))
            _, fi = ft64.forward_with_intermediates(x64)
        if refs is None:
            refs = fi
        else:
            for k in refs:
                assert torch.equal(refs[k], fi[k]), k
    # the decoder keys, if not dropped first, would be remapped too: decoder grn to 6-D
    full = remap_like_official(fcmae_sd)
    summary.append("remap without dropping the decoder: decoder.0.grn.gamma -> %s"
                   % list(full["decoder.0.grn.gamma"].shape))
    fio = OrderedDict((k, refs[k]) for k in ("stem", "stage0", "stage1", "stage2", "stage3", "features"))
    write_safetensors(os.path.join(OUT_DIR, "convnextv2_test_fcmae_io.safetensors"), fio,
                      dict(io_meta, input="input of convnextv2_test_io.safetensors",
                           norm="final norm at init (weight 1, bias 0): missing from the checkpoint"))

    # 8. read-back checks
    for fn, ref in (("convnextv2_test_official", off_sd), ("convnextv2_test_timm", timm_sd),
                    ("convnextv2_test_timm_convmlp", timm_cm_sd), ("convnextv2_test_io", io),
                    ("convnextv2_test_fcmae_io", fio)):
        back, _ = read_safetensors(os.path.join(OUT_DIR, fn + ".safetensors"))
        assert set(back) == set(ref), fn
        for k in ref:
            assert back[k].dtype == ref[k].dtype and torch.equal(back[k], ref[k]), (fn, k)
    back = torch.load(pth)
    assert list(back) == ["model"] and list(back["model"]) == list(off_sd)
    assert all(torch.equal(back["model"][k], v) for k, v in off_sd.items())
    chk = OfficialConvNeXtV2(DEPTHS, DIMS, NUM_CLASSES).eval()
    chk.load_state_dict(back["model"], strict=True)
    with torch.no_grad():
        assert maxdiff(chk(x32), logits32) == 0.0
    back = torch.load(fpth)
    assert list(back["model"]) == list(fcmae_sd) and back["epoch"] == 799
    assert all(torch.equal(back["model"][k], v) for k, v in fcmae_sd.items())
    back = torch.load(ppth)
    assert list(back["model"]) == list(published)
    assert all(torch.equal(back["model"][k], v) for k, v in published.items())

    # 9. parameter counts
    counts = param_counts(off, fcm)
    with open(os.path.join(OUT_DIR, "v2_param_counts.json"), "w") as f:
        json.dump(counts, f, indent=2)
        f.write("\n")

    total = 0
    for fn in sorted(os.listdir(OUT_DIR)):
        if fn.endswith((".safetensors", ".pth", ".json")):
            sz = os.path.getsize(os.path.join(OUT_DIR, fn))
            total += sz
            summary.append("%-42s %8d bytes" % (fn, sz))
    summary.append("fixtures total: %d bytes" % total)
    summary.append("test model params: %d (%d tensors); FCMAE checkpoint %d tensors" % (
        nparams(off), len(off_sd), len(fcmae_sd)))
    summary.append("logits64[0] = %s" % np.array2string(logits64[0].numpy(), precision=5))
    for name, c in counts["timm_1000_classes"].items():
        summary.append("%-18s %11d params (timm conv_mlp=%s)" % (name, c["params"], c["conv_mlp"]))
    print("\n".join(summary))


if __name__ == "__main__":
    sys.exit(main())
