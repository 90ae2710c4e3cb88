#!/usr/bin/python3
"""Sample data for `attnviz video`: a tiny video transformer trained on moving-dot clips.

Writes data/video_attn.npz (np.savez_compressed, one float16 array "attention", (layer, head,
query, key) = (1, 4, 129, 129): CLS + 8 frames x 4 x 4 patches of 8 px; 1 layer, 4 heads),
data/video_frames/frame_00.png ... frame_07.png (the held-out clip, 32 x 32 RGB) and data/video_truth.json (the dot's position and patch per frame, and the measured
share of CLS attention on the dot's patch over 50 held-out clips). Run from the repository root
with Debian's python3 (python3-torch, python3-numpy, python3-pil); under a minute of CPU on one
thread (3.5 minutes of wall time on a loaded 2-core machine).
"""
import json
import os

import numpy as np
import torch
from PIL import Image

torch.set_num_threads(1)
torch.manual_seed(7)
torch.use_deterministic_algorithms(True)

FRAMES, SIDE, PATCH = 8, 32, 8
GRID = SIDE // PATCH
PATCHES = GRID * GRID
DIM, HEADS, LAYERS = 32, 4, 1
STEPS, BATCH = 1500, 32
BACKGROUND, DOT = 200.0, 30.0


def trajectories(rng, count):
    """Dot centres (count, FRAMES, 2) as (y, x): a random start and velocity, bouncing off walls."""
    pos = rng.uniform(3, SIDE - 3, size=(count, 2))
    vel = rng.uniform(-3.5, 3.5, size=(count, 2))
    out = np.empty((count, FRAMES, 2))
    for t in range(FRAMES):
        out[:, t] = pos
        pos = pos + vel
        low, high = pos < 2, pos > SIDE - 2
        pos = np.where(low, 4 - pos, np.where(high, 2 * (SIDE - 2) - pos, pos))
        vel = np.where(low | high, -vel, vel)
    return out


def render(rng, centres):
    """Grey clips (count, FRAMES, SIDE, SIDE) in 0..255: a soft dark dot on a textured background."""
    yy, xx = np.mgrid[0:SIDE, 0:SIDE] + 0.5
    d2 = (yy - centres[..., 0, None, None]) ** 2 + (xx - centres[..., 1, None, None]) ** 2
    dot = np.exp(-d2 / (2 * 1.6 ** 2))
    noise = rng.normal(0, 6, size=dot.shape)
    return np.clip(BACKGROUND + noise - (BACKGROUND - DOT) * dot, 0, 255)


def patchify(clips):
    """(count, FRAMES, SIDE, SIDE) -> (count, FRAMES * PATCHES, PATCH * PATCH), frame, row, col order."""
    x = torch.tensor((BACKGROUND - clips) / 255, dtype=torch.float32)
    n = x.shape[0]
    x = x.reshape(n, FRAMES, GRID, PATCH, GRID, PATCH).permute(0, 1, 2, 4, 3, 5)
    return x.reshape(n, FRAMES * PATCHES, PATCH * PATCH)


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1, self.norm2 = torch.nn.LayerNorm(DIM), torch.nn.LayerNorm(DIM)
        self.attn = torch.nn.MultiheadAttention(DIM, HEADS, batch_first=True)
        self.mlp = torch.nn.Sequential(torch.nn.Linear(DIM, 2 * DIM), torch.nn.GELU(),
                                       torch.nn.Linear(2 * DIM, DIM))

    def forward(self, x):
        h = self.norm1(x)
        out, weights = self.attn(h, h, h, need_weights=True, average_attn_weights=False)
        x = x + out
        return x + self.mlp(self.norm2(x)), weights


class VideoTransformer(torch.nn.Module):
    """Joint space-time attention over CLS + T*H*W patch tokens (as ViViT / VideoMAE)."""

    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Linear(PATCH * PATCH, DIM)
        self.cls = torch.nn.Parameter(torch.zeros(1, 1, DIM))
        self.pos = torch.nn.Parameter(0.02 * torch.randn(1, 1 + FRAMES * PATCHES, DIM))
        self.blocks = torch.nn.ModuleList(Block() for _ in range(LAYERS))
        self.norm = torch.nn.LayerNorm(DIM)
        self.head = torch.nn.Linear(DIM, FRAMES * 2)  # the dot's (y, x) in every frame

    def forward(self, patches):
        x = torch.cat([self.cls.expand(patches.shape[0], -1, -1), self.embed(patches)], 1) + self.pos
        maps = []
        for block in self.blocks:
            x, weights = block(x)
            maps.append(weights)
        return self.head(self.norm(x[:, 0])), torch.stack(maps, 1)  # (n, layer, head, q, k)


def batch(rng, count):
    centres = trajectories(rng, count)
    clips = render(rng, centres)
    target = torch.tensor(centres.reshape(count, -1) / SIDE - 0.5, dtype=torch.float32)
    return clips, centres, patchify(clips), target


def train(model):
    rng = np.random.default_rng(1)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=STEPS)
    for step in range(STEPS):
        _, _, x, y = batch(rng, BATCH)
        loss = torch.nn.functional.mse_loss(model(x)[0], y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 250 == 0 or step == STEPS - 1:
            print(f"step {step}: loss {loss.item():.5f}", flush=True)


def dot_patches(centres):
    """The patch (y, x) holding each dot centre: (count, FRAMES, 2) integers."""
    return np.clip(np.floor(centres / PATCH).astype(int), 0, GRID - 1)


def cls_shares(maps, centres, layer, head=None):
    """Per clip and frame: the share of the CLS row's frame mass (head mean, or one head) on the
    dot's patch, and whether the frame's argmax patch is the dot's."""
    heads = maps[:, layer, :, 0, 1:]
    row = (heads.mean(1) if head is None else heads[:, head]).reshape(-1, FRAMES, GRID, GRID)
    patch = dot_patches(centres)
    n = row.shape[0]
    on_dot = row[np.arange(n)[:, None], np.arange(FRAMES), patch[..., 0], patch[..., 1]]
    share = on_dot / row.reshape(n, FRAMES, -1).sum(-1)
    argmax = row.reshape(n, FRAMES, -1).argmax(-1)
    hits = argmax == patch[..., 0] * GRID + patch[..., 1]
    return share, hits


def main():
    model = VideoTransformer()
    train(model)
    model.eval()
    rng = np.random.default_rng(2024)  # held out: a generator training never used
    clips, centres, x, y = batch(rng, 51)
    with torch.no_grad():
        pred, maps = model(x)
    maps = maps.numpy()
    error_px = float((pred - y).abs().mean() * SIDE)
    layer = LAYERS - 1
    share, hits = cls_shares(maps[1:], centres[1:], layer)
    one_share, one_hits = cls_shares(maps[:1], centres[:1], layer)
    per_head = [cls_shares(maps[1:], centres[1:], layer, h) for h in range(HEADS)]
    for h, (s, k) in enumerate(per_head):
        print(f"  head {h}: share {s.mean():.3f}, argmax on the dot {k.mean():.3f}")
    print(f"held-out mean |error| {error_px:.2f} px; layer {layer} CLS share on the dot's patch "
          f"{share.mean():.3f} (chance {1 / PATCHES:.4f}), argmax on the dot {hits.mean():.3f}")
    os.makedirs("data/video_frames", exist_ok=True)
    np.savez_compressed("data/video_attn.npz", attention=maps[0].astype(np.float16))
    for t in range(FRAMES):
        grey = clips[0, t].round().astype(np.uint8)
        rgb = np.stack([grey, grey, np.clip(grey.astype(int) + 20, 0, 255).astype(np.uint8)], -1)
        Image.fromarray(rgb, "RGB").save(f"data/video_frames/frame_{t:02d}.png", optimize=True)
    patch = dot_patches(centres[:1])[0]
    truth = {
        "frames": FRAMES, "grid": [GRID, GRID], "patch_pixels": PATCH, "cls": True,
        "dot_centre_yx": [[round(float(v), 3) for v in c] for c in centres[0]],
        "dot_patch_yx": patch.tolist(),
        "layer": layer, "heads": "mean of all",
        "held_out_clips": 50,
        "mean_share_on_dot_patch": round(float(share.mean()), 4),
        "min_clip_mean_share": round(float(share.mean(1).min()), 4),
        "argmax_on_dot_patch": round(float(hits.mean()), 4),
        "chance_share": 1 / PATCHES,
        "per_head_mean_share": [round(float(s.mean()), 4) for s, _ in per_head],
        "per_head_argmax_on_dot_patch": [round(float(k.mean()), 4) for _, k in per_head],
        "this_clip_share_per_frame": [round(float(v), 4) for v in one_share[0]],
        "this_clip_argmax_hits": int(one_hits.sum()),
        "mean_abs_error_px": round(error_px, 3),
    }
    with open("data/video_truth.json", "w") as f:
        json.dump(truth, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
