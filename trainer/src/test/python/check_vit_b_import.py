#!/usr/bin/python3
"""Manual end-to-end check of `export --from-pytorch` at DMAE's CIFAR-10 scale (not run in CI).

Builds a ViT-B/16 (global pool + fc_norm, 10 classes, random weights) in timm's naming, saves
it as DMAE's fine-tuning script does ({'model', 'epoch', 'scaler', 'args'}), and writes 4 CIFAR-
sized inputs (2 clean, 2 noisy at sigma 0.5) with PyTorch's logits after DMAE's pipeline:
noise at 32x32 -> bicubic resize to 224 -> CIFAR-10 normalisation -> ViT. Then:

    /usr/bin/python3 trainer/src/test/python/check_vit_b_import.py /tmp/vitb
    bin/smoothguard export --from-pytorch /tmp/vitb/checkpoint.pth --state-key model --heads 12 \
        --input-size 32 --mean 0.4914,0.4822,0.4465 --std 0.2471,0.2435,0.2616 --out /tmp/vitb/m.onnx
    python3 -c "import onnxruntime ..."  # or any ONNX Runtime: compare with /tmp/vitb/logits.f32
"""
import argparse
import os
import struct
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_timm_vit_fixtures as fx  # noqa: E402  (the tiny ViT's classes, resized here)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/vitb"
    os.makedirs(out, exist_ok=True)
    fx.WIDTH, fx.DEPTH, fx.HEADS, fx.MLP, fx.CLASSES = 768, 12, 12, 3072, 10
    torch.manual_seed(0)
    model = fx.TinyVit(224, 16, global_pool=True).eval()
    torch.save({"model": model.state_dict(), "epoch": 49, "scaler": {"scale": 65536.0},
                "args": argparse.Namespace(model="vit_base_patch16", sigma=0.25, global_pool=True)},
               os.path.join(out, "checkpoint.pth"))
    g = torch.Generator().manual_seed(1)
    clean = torch.rand(4, 3, 32, 32, generator=g)
    x = torch.cat([clean[:2], clean[2:] + 0.5 * torch.randn(2, 3, 32, 32, generator=g)])
    with torch.no_grad():
        logits = model(F.interpolate(x, size=(224, 224), mode="bicubic", align_corners=False), *fx.CIFAR10)
    for name, t in (("inputs.f32", x), ("logits.f32", logits)):
        with open(os.path.join(out, name), "wb") as f:
            f.write(struct.pack("<%df" % t.numel(), *t.flatten().tolist()))
    print("wrote", out, "logits", logits.tolist())


if __name__ == "__main__":
    main()
