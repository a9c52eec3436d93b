#!/usr/bin/python3
"""Writes the PyTorch-import parity fixtures under trainer/src/test/resources/pytorch/.

Tiny ViTs in timm's parameter naming, built in plain PyTorch (no timm needed), with fixed
random weights, their checkpoints in the formats `export --from-pytorch` reads, test inputs
(clean pixels in [0,1] and noisy ones x + sigma*eps outside [0,1]) and PyTorch's logits on them.
CI only reads the committed files; run this again only to change them:

    apt-get install -y python3-torch        # Debian's PyTorch 1.13 (CPU)
    /usr/bin/python3 trainer/src/test/python/make_timm_vit_fixtures.py

Files (raw arrays are little-endian float32, row-major):
  inputs.f32                     [8,3,16,16]: rows 0-3 clean in [0,1], rows 4-7 noisy (sigma 0.5)
  vit_token.pth                  class token + norm; plain state dict at the top level, saved to
                                 a file path (PyTorch 1.13 names the zip's top folder after it)
  vit_token.logits.f32           [8,5]
  vit_mean_nested.pth            global average pool + fc_norm (MAE/DMAE), under 'model' beside
                                 'epoch', 'optimizer' and 'args' (argparse.Namespace), with
                                 float16/bfloat16/float64 tensors, a non-contiguous tensor and
                                 one at a storage offset; zip top folder 'archive'
  vit_mean_nested.logits.f32     [8,5]
  vit_resize.safetensors         global pool + fc_norm, 32x32 ViT (patch 8); written by hand
  vit_resize.bicubic.logits.f32  [8,5]: inputs resized 16->32 with F.interpolate(bicubic)
  vit_resize.bilinear.logits.f32 [8,5]: the same with bilinear
  malicious_os_system.pth        a torch.save-shaped zip whose pickle calls os.system
  malicious_eval.pth             a state dict whose pickle also calls builtins.eval (protocol 4)
The malicious pickles are written as literal bytes and never loaded, so writing them runs nothing.
"""
import argparse
import io
import json
import math
import os
import struct
import zipfile

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "pytorch")
CHANNELS, CLASSES, WIDTH, DEPTH, HEADS, MLP = 3, 5, 16, 2, 4, 32


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = ((q * self.scale) @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, hidden)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, patch, channels, dim):
        super().__init__()
        self.proj = nn.Conv2d(channels, dim, kernel_size=patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class TinyVit(nn.Module):
    """timm's VisionTransformer forward (pre-norm blocks, exact GELU), MAE's global_pool option."""

    def __init__(self, image, patch, global_pool):
        super().__init__()
        self.global_pool = global_pool
        self.patch_embed = PatchEmbed(patch, CHANNELS, WIDTH)
        patches = (image // patch) ** 2
        self.cls_token = nn.Parameter(torch.randn(1, 1, WIDTH) * 0.5)
        self.pos_embed = nn.Parameter(torch.randn(1, 1 + patches, WIDTH) * 0.5)
        self.blocks = nn.Sequential(*[Block(WIDTH, HEADS, MLP) for _ in range(DEPTH)])
        if global_pool:
            self.fc_norm = nn.LayerNorm(WIDTH, eps=1e-6)
        else:
            self.norm = nn.LayerNorm(WIDTH, eps=1e-6)
        self.head = nn.Linear(WIDTH, CLASSES)
        # LayerNorms away from 1/0 so a skipped or misplaced norm shows in the logits
        for m in self.modules():
            if isinstance(m, nn.LayerNorm):
                nn.init.normal_(m.weight, 1.0, 0.2)
                nn.init.normal_(m.bias, 0.0, 0.2)

    def forward(self, x, mean, std):
        x = (x - mean.view(1, -1, 1, 1)) / std.view(1, -1, 1, 1)
        x = self.patch_embed(x)
        x = torch.cat((self.cls_token.expand(x.shape[0], -1, -1), x), dim=1) + self.pos_embed
        x = self.blocks(x)
        if self.global_pool:
            x = self.fc_norm(x[:, 1:, :].mean(dim=1))
        else:
            x = self.norm(x)[:, 0]
        return self.head(x)


IMAGENET = (torch.tensor([0.485, 0.456, 0.406]), torch.tensor([0.229, 0.224, 0.225]))
CIFAR10 = (torch.tensor([0.4914, 0.4822, 0.4465]), torch.tensor([0.2471, 0.2435, 0.2616]))


def write_f32(name, t):
    t = t.detach().to(torch.float32).contiguous()
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(struct.pack("<%df" % t.numel(), *t.flatten().tolist()))


def inputs():
    g = torch.Generator().manual_seed(7)
    clean = torch.rand(8, CHANNELS, 16, 16, generator=g)
    noisy = clean + 0.5 * torch.randn(8, CHANNELS, 16, 16, generator=g)
    x = torch.cat([clean[:4], noisy[4:]])
    assert x.min() < 0 and x.max() > 1
    return x


def round_through(model, name, dtype):
    """The parameter as stored at a lower precision, and the model's copy set to that value."""
    p = dict(model.named_parameters())[name]
    low = p.detach().to(dtype)
    with torch.no_grad():
        p.copy_(low.to(torch.float32))
    return low


def token_fixture(x):
    torch.manual_seed(1)
    model = TinyVit(16, 4, global_pool=False).eval()
    path = os.path.join(OUT, "vit_token.pth")
    torch.save(model.state_dict(), path)  # to a path: top folder "vit_token" in PyTorch 1.13
    with torch.no_grad():
        write_f32("vit_token.logits.f32", model(x, *IMAGENET))


def nested_fixture(x):
    torch.manual_seed(2)
    model = TinyVit(16, 4, global_pool=True).eval()
    head_half = round_through(model, "head.weight", torch.float16)
    fc_norm_bf16 = round_through(model, "fc_norm.weight", torch.bfloat16)
    sd = dict(model.state_dict())
    sd["head.weight"] = head_half
    sd["fc_norm.weight"] = fc_norm_bf16
    sd["blocks.1.mlp.fc2.bias"] = sd["blocks.1.mlp.fc2.bias"].double()
    qkv = sd["blocks.0.attn.qkv.weight"]
    sd["blocks.0.attn.qkv.weight"] = qkv.t().contiguous().t()  # same values, column-major strides
    assert not sd["blocks.0.attn.qkv.weight"].is_contiguous()
    pos = sd["pos_embed"]
    shared = torch.cat([torch.randn(5), pos.flatten()])
    sd["pos_embed"] = shared[5:].view(pos.shape)  # a view at storage offset 5
    assert sd["pos_embed"].storage_offset() == 5
    checkpoint = {
        "model": sd,
        "optimizer": {"state": {0: {"step": 3, "exp_avg": torch.zeros(4)}}, "param_groups": [{"lr": 1e-3, "params": [0]}]},
        "epoch": 3,
        "scaler": {"scale": 65536.0, "_growth_tracker": 0},
        "args": argparse.Namespace(model="vit_tiny", sigma=0.25, global_pool=True, blr=5e-4),
    }
    buf = io.BytesIO()
    torch.save(checkpoint, buf)  # to a buffer: top folder "archive"
    with open(os.path.join(OUT, "vit_mean_nested.pth"), "wb") as f:
        f.write(buf.getvalue())
    with torch.no_grad():
        write_f32("vit_mean_nested.logits.f32", model(x, *CIFAR10))


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().to(torch.float32).contiguous()
        data = struct.pack("<%df" % t.numel(), *t.flatten().tolist())
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def resize_fixture(x):
    torch.manual_seed(3)
    model = TinyVit(32, 8, global_pool=True).eval()
    write_safetensors(os.path.join(OUT, "vit_resize.safetensors"), model.state_dict())
    with torch.no_grad():
        for mode in ("bicubic", "bilinear"):
            big = F.interpolate(x, size=(32, 32), mode=mode, align_corners=False)
            write_f32("vit_resize.%s.logits.f32" % mode, model(big, *CIFAR10))


def torch_zip(path, top, pickle_bytes):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(top + "/data.pkl", pickle_bytes)
        z.writestr(top + "/version", "3\n")


def malicious_fixtures():
    # protocol 2: GLOBAL 'os system', ('touch /tmp/smoothguard-pwned',), REDUCE
    cmd = b"touch /tmp/smoothguard-pwned"
    os_system = (b"\x80\x02cos\nsystem\nq\x00X" + struct.pack("<I", len(cmd)) + cmd + b"\x85q\x01Rq\x02.")
    torch_zip(os.path.join(OUT, "malicious_os_system.pth"), "archive", os_system)
    # protocol 4: {'head.bias': builtins.eval('...')} via STACK_GLOBAL, inside an otherwise plain dict
    expr = b"__import__('os').system('touch /tmp/smoothguard-pwned')"
    evil = (b"\x80\x04}\x94\x8c\thead.bias\x94\x8c\x08builtins\x94\x8c\x04eval\x94\x93\x94"
            + b"X" + struct.pack("<I", len(expr)) + expr + b"\x94\x85\x94R\x94s.")
    torch_zip(os.path.join(OUT, "malicious_eval.pth"), "archive", evil)


def main():
    os.makedirs(OUT, exist_ok=True)
    x = inputs()
    write_f32("inputs.f32", x)
    token_fixture(x)
    nested_fixture(x)
    resize_fixture(x)
    malicious_fixtures()
    for name in sorted(os.listdir(OUT)):
        print("%-32s %7d bytes" % (name, os.path.getsize(os.path.join(OUT, name))))


if __name__ == "__main__":
    main()
