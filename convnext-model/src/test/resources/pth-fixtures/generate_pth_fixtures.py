#!/usr/bin/env python3
"""Generate the PyTorch checkpoint fixtures of convnext4j's .pth reader.

How to run (from this folder, no network needed; a few seconds):

    /usr/bin/python3 generate_pth_fixtures.py

Requirements: torch (tested with Debian's python3-torch 1.13), numpy. The weights are those of
../fixtures/convnext_test_{official,timm,torchvision}.safetensors, read back with the minimal
reader below, so every benign checkpoint here holds exactly the tensors of one of those files.

Deterministic but for legacy_format.pth (whose storage keys are memory addresses): torch 1.13
writes no timestamps or serialization ids, and the hand-made zips use a fixed date, so rerunning
rewrites byte-identical files.

Benign checkpoints (saved by torch.save):
  official_checkpoint.pth     a training checkpoint like convnext_tiny_1k_224_ema.pth plus what
                              train scripts add: {'model': official names, 'model_ema': the same
                              tensors under timm names (shared storages, no extra bytes),
                              'optimizer': a real AdamW state_dict, 'epoch': 3,
                              'args': argparse.Namespace(...), 'lr': 0.004, 'max_accuracy': 12.5,
                              'scaler': a GradScaler-like dict}
  torchvision_state_dict.pth  torchvision's published form: the bare state dict (an OrderedDict
                              with its _metadata)
  timm_module_prefixed.pt     {'state_dict': timm names with a 'module.' prefix}, saved through
                              a buffer, so its folder is 'archive/' rather than the file's name
  official_half.pth           {'model_ema': official names, '*weight' tensors float16, the rest
                              bfloat16}
  official_views.pth          official names, every tensor a non-contiguous or offset view:
                              Linear weights transposed views, conv weights channels-last, each
                              LayerNorm's weight and bias two halves of one storage, gammas
                              every other element of a storage twice their size
  legacy_format.pth           a small state dict in the pre-1.6 format
                              (_use_new_zipfile_serialization=False), which is refused

Hostile checkpoints (pickles written by hand in the zip layout of torch.save; no torch needed):
  hostile_os_system.pth       {'model': {'stem.0.weight': a real tensor,
                              'evil': os.system('touch /tmp/convnext4j_pth_marker')}}
  hostile_builtin_eval.pth    __builtin__.eval('__import__("os").system(...)') as the whole
                              checkpoint (GLOBAL, protocol 2)
  hostile_builtins_eval_stack_global.pth
                              the same with protocol 4's FRAME, STACK_GLOBAL builtins.eval and
                              MEMOIZE, as a value in a state dict
  hostile_deep_nesting.pth    a list nested 100000 deep (EMPTY_LIST x 100000, APPEND x 99999),
                              its pickle deflated to stay small
  hostile_storage_overclaim.pth
                              a tensor of 1000 float32 elements whose storage entry holds 16 bytes
"""
import argparse
import io
import json
import os
import pickle
import pickletools
import re
import struct
import sys
import zipfile
from collections import OrderedDict

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
SAFETENSORS = os.path.join(HERE, "..", "fixtures")
MARKER = "/tmp/convnext4j_pth_marker"


def read_safetensors(path):
    """name -> float32 torch.Tensor, in header order."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"), object_pairs_hook=OrderedDict)
    header.pop("__metadata__", None)
    data = raw[8 + n:]
    out = OrderedDict()
    for name, info in header.items():
        assert info["dtype"] == "F32", (path, name)
        b, e = info["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[b:e], dtype="<f4").reshape(info["shape"]).copy())
    return out


def state_dict(tensors):
    """An OrderedDict with a _metadata attribute, as module.state_dict() returns it."""
    sd = OrderedDict(tensors)
    sd._metadata = OrderedDict([("", {"version": 1})])
    return sd


# ----------------------------------------------------------------------------
# Benign checkpoints
# ----------------------------------------------------------------------------
def official_to_timm_name(k):
    """timm's convnext checkpoint_filter_fn renaming rules (v1, non-GRN), as in ../fixtures/generate_fixtures.py."""
    k = k.replace("downsample_layers.0.", "stem.")
    k = re.sub(r"stages\.([0-9]+)\.([0-9]+)", r"stages.\1.blocks.\2", k)
    k = re.sub(r"downsample_layers\.([0-9]+)\.([0-9]+)", r"stages.\1.downsample.\2", k)
    k = k.replace("dwconv", "conv_dw")
    k = k.replace("pwconv", "mlp.fc")
    k = k.replace("head.", "head.fc.")
    if k.startswith("norm."):
        k = "head." + k
    return k


def official_checkpoint(official, timm):
    # The EMA copy holds the very same tensors under timm names: its storages are shared, so it
    # costs no bytes, yet reading it instead of 'model' gives other names.
    ema = OrderedDict((official_to_timm_name(k), v) for k, v in official.items())
    assert set(ema) == set(timm) and all(torch.equal(v, timm[k]) for k, v in ema.items())
    params = [torch.nn.Parameter(official["head.bias"].clone()), torch.nn.Parameter(official["norm.weight"].clone())]
    optimizer = torch.optim.AdamW(params, lr=0.004, weight_decay=0.05)
    for p in params:
        p.grad = torch.ones_like(p)
    optimizer.step()
    args = argparse.Namespace(model="convnext_test", lr=0.004, epochs=300, drop_path=0.1,
                              input_size=64, model_ema=True, layer_decay=None, data_path="/data/in1k")
    return {
        "model": state_dict(official),
        "model_ema": state_dict(ema),
        "optimizer": optimizer.state_dict(),
        "epoch": 3,
        "args": args,
        "lr": 0.004,
        "max_accuracy": 12.5,
        "scaler": {"scale": 65536.0, "growth_factor": 2.0, "backoff_factor": 0.5,
                   "growth_interval": 2000, "_growth_tracker": 0},
    }


def half_precision(official):
    return {"model_ema": state_dict(
        (k, v.half() if k.endswith("weight") else v.bfloat16()) for k, v in official.items())}


def views(official):
    out = OrderedDict()
    for k, v in official.items():
        if k in out:
            continue
        if v.dim() == 1 and k.endswith(".weight"):
            # A LayerNorm's weight and bias: two halves of one storage, the bias at an offset.
            bias_name = k[:-len("weight")] + "bias"
            both = torch.cat([v, official[bias_name]])
            out[k] = both[:v.numel()]
            out[bias_name] = both[v.numel():]
        elif v.dim() == 2:
            out[k] = v.t().contiguous().t()
        elif v.dim() == 4:
            out[k] = v.contiguous(memory_format=torch.channels_last)
        elif k.endswith("gamma"):
            out[k] = torch.stack([v, -v], dim=1).reshape(-1)[::2]
        else:
            out[k] = v.clone()
    for k, v in official.items():
        assert torch.equal(out[k], v), k
    assert sum(not t.is_contiguous() for t in out.values()) >= 10
    assert sum(t.storage_offset() > 0 for t in out.values()) >= 5
    return state_dict((k, out[k]) for k in official)


def save_benign(official, timm, torchvision):
    path = os.path.join(HERE, "official_checkpoint.pth")
    torch.save(official_checkpoint(official, timm), path)

    torch.save(state_dict(torchvision), os.path.join(HERE, "torchvision_state_dict.pth"))

    buffer = io.BytesIO()
    torch.save({"state_dict": state_dict(("module." + k, v) for k, v in timm.items())}, buffer)
    with open(os.path.join(HERE, "timm_module_prefixed.pt"), "wb") as f:
        f.write(buffer.getvalue())

    torch.save(half_precision(official), os.path.join(HERE, "official_half.pth"))

    v = views(official)
    torch.save(v, os.path.join(HERE, "official_views.pth"))

    torch.save(state_dict([("w", torch.arange(6.0).reshape(2, 3))]), os.path.join(HERE, "legacy_format.pth"),
               _use_new_zipfile_serialization=False)

    # Each file reads back in torch as what was saved.
    back = torch.load(os.path.join(HERE, "official_views.pth"))
    for k in official:
        assert torch.equal(back[k], official[k]) and back[k].stride() == v[k].stride(), k
    back = torch.load(os.path.join(HERE, "timm_module_prefixed.pt"))["state_dict"]
    assert [k[len("module."):] for k in back] == list(timm)
    with zipfile.ZipFile(os.path.join(HERE, "timm_module_prefixed.pt")) as z:
        assert z.namelist()[0] == "archive/data.pkl", z.namelist()
    with zipfile.ZipFile(os.path.join(HERE, "official_checkpoint.pth")) as z:
        assert z.namelist()[0] == "official_checkpoint/data.pkl", z.namelist()


# ----------------------------------------------------------------------------
# Hand-made pickles
# ----------------------------------------------------------------------------
def binunicode(s):
    b = s.encode("utf-8")
    return b"X" + struct.pack("<I", len(b)) + b


def short_binunicode(s):
    b = s.encode("utf-8")
    return b"\x8c" + struct.pack("<B", len(b)) + b


def global_(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def binint(n):
    return b"J" + struct.pack("<i", n)


def float_tensor(key, numel, shape):
    """torch._utils._rebuild_tensor_v2(storage, 0, shape, C strides, False, OrderedDict())."""
    strides = [1] * len(shape)
    for d in range(len(shape) - 2, -1, -1):
        strides[d] = strides[d + 1] * shape[d + 1]
    return (global_("torch._utils", "_rebuild_tensor_v2")
            + b"("                                   # MARK: the arguments
            + b"(" + binunicode("storage") + global_("torch", "FloatStorage") + binunicode(key)
            + binunicode("cpu") + binint(numel) + b"t"  # the persistent id tuple
            + b"Q"                                   # BINPERSID
            + binint(0)
            + b"(" + b"".join(binint(s) for s in shape) + b"t"
            + b"(" + b"".join(binint(s) for s in strides) + b"t"
            + b"\x89"                                # NEWFALSE
            + global_("collections", "OrderedDict") + b")R"
            + b"tR")                                 # TUPLE, REDUCE


def torch_zip(name, pickle_bytes, storages=(), deflate_pickle=False):
    """A zip laid out as torch.save lays it out, with the folder named after the file."""
    folder = os.path.splitext(name)[0]
    path = os.path.join(HERE, name)
    with zipfile.ZipFile(path, "w") as z:
        def add(entry, data, compress=zipfile.ZIP_STORED):
            info = zipfile.ZipInfo(folder + "/" + entry, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = compress
            z.writestr(info, data)
        add("data.pkl", pickle_bytes, zipfile.ZIP_DEFLATED if deflate_pickle else zipfile.ZIP_STORED)
        for key, data in storages:
            add("data/" + key, data)
        add("version", b"3\n")
    return path


def check_pickle(data):
    """Walks the opcodes without executing anything; raises if the bytes are not a well-formed pickle."""
    for _ in pickletools.genops(data):
        pass


def save_hostile():
    command = "touch " + MARKER
    small = np.arange(1, 5, dtype="<f4")  # a real 4-element tensor next to the payload

    # os.system(command) as a value in the state dict: Python's pickle would run it.
    p = (b"\x80\x02}(" + binunicode("model") + b"}("
         + binunicode("stem.0.weight") + float_tensor("0", 4, [4])
         + binunicode("evil") + global_("os", "system") + b"(" + binunicode(command) + b"tR"
         + b"uu.")
    check_pickle(p)
    torch_zip("hostile_os_system.pth", p, [("0", small.tobytes())])

    payload = '__import__("os").system("%s")' % command
    p = b"\x80\x02" + global_("__builtin__", "eval") + b"(" + binunicode(payload) + b"tR."
    check_pickle(p)
    torch_zip("hostile_builtin_eval.pth", p)

    body = (b"}\x94(" + short_binunicode("model") + b"}\x94(" + short_binunicode("head.bias")
            + short_binunicode("builtins") + b"\x94" + short_binunicode("eval") + b"\x94\x93\x94"
            + short_binunicode(payload) + b"\x94\x85\x94R\x94uu.")
    p = b"\x80\x04\x95" + struct.pack("<Q", len(body)) + body
    check_pickle(p)
    torch_zip("hostile_builtins_eval_stack_global.pth", p)

    depth = 100000
    p = b"\x80\x02" + b"]" * depth + b"a" * (depth - 1) + b"."
    torch_zip("hostile_deep_nesting.pth", p, deflate_pickle=True)

    p = b"\x80\x02}(" + binunicode("model") + b"}(" + binunicode("head.weight") + float_tensor("0", 1000, [10, 100]) + b"uu."
    check_pickle(p)
    torch_zip("hostile_storage_overclaim.pth", p, [("0", small.tobytes())])

    # torch's own safe loader refuses the code-running ones too (it must not run them either).
    for name in ("hostile_os_system.pth", "hostile_builtin_eval.pth", "hostile_builtins_eval_stack_global.pth"):
        try:
            torch.load(os.path.join(HERE, name), weights_only=True)
        except pickle.UnpicklingError:
            pass
        else:
            raise AssertionError(name + " was loaded by torch's weights_only loader")
    assert not os.path.exists(MARKER)


def main():
    official = read_safetensors(os.path.join(SAFETENSORS, "convnext_test_official.safetensors"))
    timm = read_safetensors(os.path.join(SAFETENSORS, "convnext_test_timm.safetensors"))
    torchvision = read_safetensors(os.path.join(SAFETENSORS, "convnext_test_torchvision.safetensors"))
    save_benign(official, timm, torchvision)
    save_hostile()
    total = 0
    for name in sorted(os.listdir(HERE)):
        if name.endswith((".pth", ".pt")):
            size = os.path.getsize(os.path.join(HERE, name))
            total += size
            print("%-42s %8d bytes" % (name, size))
    print("total %d bytes; torch %s" % (total, torch.__version__))


if __name__ == "__main__":
    sys.exit(main())
