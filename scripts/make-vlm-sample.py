#!/usr/bin/python3
"""Train a tiny vision-language transformer on synthetic scenes and dump its attention.

Scenes are 64x64 pictures holding 2-3 coloured shapes (red/green/blue x square/circle/triangle,
colours and shapes all different within a scene), each filling one 16x16 cell of a 4x4 layout,
so each shape covers exactly 2x2 of the model's 8x8 patches (8 px each). The sequence is LLaVA's:
`<s>`, the 64 patch embeddings (tokens file: 64 `<image>` lines), then a caption naming one or two
of the shapes ("red square", "red square left of blue circle").

Two per-position tasks force text and image to look at each other:
- at every colour word and every shape word, predict which of the 16 cells hold that colour
  (that shape): the word must find its patches;
- at every patch, predict whether the caption names its shape: the patch must read the text.
Losses are taken after both layers so that each layer's attention does the work.

Outputs (data/): vlm_attn.npy (layer, head, query, key) float16, vlm_tokens.txt, vlm_scene.png,
vlm_truth.json (the shapes, the patches each covers, and the shares measured below). It prints
the measured share of each colour/shape word's attention over the patches that falls on its
shape, against chance (4 of 64 patches), over 50 held-out scenes.

    /usr/bin/python3 scripts/make-vlm-sample.py
"""

import json
import os
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("VLM_SAMPLE_OUT", REPO / "data"))  # another folder, to compare

SIDE, PATCH, CELL = 64, 8, 16
GRID = SIDE // PATCH  # 8 patches a side
CELLS = SIDE // CELL  # 4 cells a side
COLOURS = {"red": (220, 40, 40), "green": (40, 170, 60), "blue": (40, 80, 220)}
SHAPES = ["square", "circle", "triangle"]
RELATIONS = ["left", "right", "above", "below"]
VOCAB = ["<pad>", "<s>", "<image>", "of"] + list(COLOURS) + SHAPES + RELATIONS
WORD = {w: i for i, w in enumerate(VOCAB)}
MAX_CAPTION = 6
SEQ = 1 + GRID * GRID + MAX_CAPTION
D_MODEL, N_HEADS, N_LAYERS = 48, 4, 2
STEPS, BATCH = 1500, 64


def draw_shape(pixels, colour, shape, cell):
    r0, c0 = cell[0] * CELL, cell[1] * CELL
    yy, xx = np.mgrid[0:CELL, 0:CELL] + 0.5
    if shape == "square":
        inside = (yy > 2) & (yy < 14) & (xx > 2) & (xx < 14)
    elif shape == "circle":
        inside = (yy - 8) ** 2 + (xx - 8) ** 2 < 6.5**2
    else:  # an upward triangle, apex at the top centre
        inside = (yy > 2) & (yy < 14) & (np.abs(xx - 8) < (yy - 2) * 0.55)
    pixels[r0 : r0 + CELL, c0 : c0 + CELL][inside] = COLOURS[colour]


def cell_patches(cell):
    top, left = cell[0] * 2, cell[1] * 2
    return [(top + dr) * GRID + left + dc for dr in (0, 1) for dc in (0, 1)]


def relation(a, b):
    """How object a lies relative to object b, from their cells."""
    if a["cell"][1] != b["cell"][1]:
        return ["left", "of"] if a["cell"][1] < b["cell"][1] else ["right", "of"]
    return ["above"] if a["cell"][0] < b["cell"][0] else ["below"]


def make_scene(rng, objects=None, caption=None):
    if objects is None:
        count = int(rng.integers(2, 4))
        colours = rng.permutation(list(COLOURS))[:count]
        shapes = rng.permutation(SHAPES)[:count]
        cells = rng.permutation(CELLS * CELLS)[:count]
        objects = [
            {"colour": str(c), "shape": str(s), "cell": [int(k) // CELLS, int(k) % CELLS]}
            for c, s, k in zip(colours, shapes, cells)
        ]
    pixels = np.full((SIDE, SIDE, 3), 245, np.uint8)
    pixels += rng.integers(0, 8, (SIDE, SIDE, 1), dtype=np.uint8)  # faint paper texture
    for o in objects:
        draw_shape(pixels, o["colour"], o["shape"], o["cell"])
    if caption is None:
        named = [objects[int(i)] for i in rng.permutation(len(objects))[: int(rng.integers(1, 3))]]
        caption = [named[0]["colour"], named[0]["shape"]]
        if len(named) == 2:
            caption += relation(named[0], named[1]) + [named[1]["colour"], named[1]["shape"]]
    return {"objects": objects, "pixels": pixels, "caption": caption}


def encode(scene):
    """Patch vectors, caption ids, and the targets of both tasks."""
    pixels = scene["pixels"].astype(np.float32) / 255.0
    patches = pixels.reshape(GRID, PATCH, GRID, PATCH, 3).transpose(0, 2, 1, 3, 4)
    patches = patches.reshape(GRID * GRID, PATCH * PATCH * 3)
    ids = [WORD[w] for w in scene["caption"]] + [0] * (MAX_CAPTION - len(scene["caption"]))
    word_cells = np.zeros((MAX_CAPTION, CELLS * CELLS), np.float32)
    word_scored = np.zeros(MAX_CAPTION, np.float32)
    for i, w in enumerate(scene["caption"]):
        for o in scene["objects"]:
            if w in (o["colour"], o["shape"]):
                word_cells[i, o["cell"][0] * CELLS + o["cell"][1]] = 1
                word_scored[i] = 1
    named = set(zip(scene["caption"], scene["caption"][1:]))
    patch_named = np.zeros(GRID * GRID, np.float32)
    for o in scene["objects"]:
        if (o["colour"], o["shape"]) in named:
            patch_named[cell_patches(o["cell"])] = 1
    return patches, ids, word_cells, word_scored, patch_named


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(D_MODEL), nn.LayerNorm(D_MODEL)
        self.qkv = nn.Linear(D_MODEL, 3 * D_MODEL)
        self.out = nn.Linear(D_MODEL, D_MODEL)
        self.mlp = nn.Sequential(nn.Linear(D_MODEL, 4 * D_MODEL), nn.GELU(),
                                 nn.Linear(4 * D_MODEL, D_MODEL))

    def forward(self, x, key_pad):
        b, s, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(b, s, 3, N_HEADS, -1).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-1, -2) / (q.shape[-1] ** 0.5)
        scores = scores.masked_fill(key_pad[:, None, None, :], float("-inf"))
        weights = scores.softmax(-1)
        x = x + self.out((weights @ v).transpose(1, 2).reshape(b, s, D_MODEL))
        return x + self.mlp(self.ln2(x)), weights


class SceneModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch = nn.Linear(PATCH * PATCH * 3, D_MODEL)
        self.word = nn.Embedding(len(VOCAB), D_MODEL)
        self.position = nn.Parameter(torch.randn(SEQ, D_MODEL) * 0.02)
        self.blocks = nn.ModuleList(Block() for _ in range(N_LAYERS))
        self.cells = nn.Linear(D_MODEL, CELLS * CELLS)
        self.named = nn.Linear(D_MODEL, 1)

    def forward(self, patches, ids):
        b = patches.shape[0]
        start = self.word(torch.full((b, 1), WORD["<s>"]))
        x = torch.cat([start, self.patch(patches), self.word(ids)], 1) + self.position
        key_pad = torch.cat([torch.zeros(b, 1 + GRID * GRID, dtype=torch.bool), ids == 0], 1)
        outputs, attentions = [], []
        for block in self.blocks:
            x, weights = block(x, key_pad)
            outputs.append(x)
            attentions.append(weights)
        return outputs, attentions


def batch_of(scenes):
    parts = [encode(s) for s in scenes]
    return [torch.tensor(np.stack(p)) for p in zip(*parts)]


def loss_of(model, batch):
    patches, ids, word_cells, word_scored, patch_named = batch
    outputs, _ = model(patches, ids)
    total = 0
    for x in outputs:
        text = x[:, 1 + GRID * GRID :]
        word_loss = F.binary_cross_entropy_with_logits(model.cells(text), word_cells,
                                                       reduction="none").mean(-1)
        total = total + (word_loss * word_scored).sum() / word_scored.sum()
        named = model.named(x[:, 1 : 1 + GRID * GRID]).squeeze(-1)
        total = total + F.binary_cross_entropy_with_logits(named, patch_named)
    return total


def train(rng):
    torch.manual_seed(17)
    model = SceneModel()
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, 3e-3, total_steps=STEPS)
    for step in range(STEPS):
        loss = loss_of(model, batch_of([make_scene(rng) for _ in range(BATCH)]))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        if step % 250 == 0 or step == STEPS - 1:
            print(f"step {step}: loss {loss.item():.4f}", flush=True)
    return model


def attention_of(model, scene):
    """(layer, head, query, key) of one scene, keys trimmed to its caption."""
    patches, ids, *_ = batch_of([scene])
    with torch.no_grad():
        _, attentions = model(patches, ids)
    length = 1 + GRID * GRID + len(scene["caption"])
    return torch.stack(attentions)[:, 0, :, :length, :length].numpy()


def word_shares(attention, scene):
    """For each colour/shape word: per (layer, head), and fused by the mean of all heads, the
    share of its attention over the patches that falls on the patches of the shape it names."""
    rows = []
    for i, w in enumerate(scene["caption"]):
        objects = [o for o in scene["objects"] if w in (o["colour"], o["shape"])]
        if not objects:
            continue
        query = 1 + GRID * GRID + i
        patch_rows = attention[:, :, query, 1 : 1 + GRID * GRID].astype(np.float64)
        on_shape = patch_rows[..., cell_patches(objects[0]["cell"])].sum(-1)
        fused = patch_rows.mean(1)  # mean of the heads, as attnviz --fuse mean
        rows.append({
            "token": i, "word": w,
            "per_head": on_shape / patch_rows.sum(-1),
            "fused": fused[:, cell_patches(objects[0]["cell"])].sum(-1) / fused.sum(-1),
        })
    return rows


HELD_OUT = {
    "objects": [
        {"colour": "red", "shape": "square", "cell": [1, 0]},
        {"colour": "blue", "shape": "circle", "cell": [2, 3]},
        {"colour": "green", "shape": "triangle", "cell": [0, 2]},
    ],
    "caption": ["red", "square", "left", "of", "blue", "circle"],
}


def main():
    started = time.time()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(2026)
    model = train(rng).eval()

    held_rng = np.random.default_rng(99)
    per_head, fused = [], []
    for _ in range(50):
        scene = make_scene(held_rng)
        for row in word_shares(attention_of(model, scene), scene):
            per_head.append(row["per_head"])
            fused.append(row["fused"])
    per_head, fused = np.array(per_head), np.array(fused)
    chance = 4 / (GRID * GRID)
    mean_head = per_head.mean(0)
    best = np.unravel_index(np.argmax(mean_head), mean_head.shape)
    print(f"{len(per_head)} colour/shape words in 50 held-out scenes; chance {chance:.4f}")
    for layer in range(N_LAYERS):
        cells = " ".join(f"H{h} {mean_head[layer, h]:.3f}" for h in range(N_HEADS))
        print(f"  layer {layer}: {cells}; mean of heads {fused[:, layer].mean():.3f}")
    best_shares = per_head[:, best[0], best[1]]
    print(f"best head L{best[0]}H{best[1]}: mean {mean_head[best]:.3f}, "
          f"median {np.median(best_shares):.3f}, min {best_shares.min():.3f}, "
          f"{(best_shares >= 0.5).sum()} of {len(best_shares)} words >= 0.5, "
          f"{(best_shares <= chance).sum()} at or below chance")

    scene = make_scene(np.random.default_rng(5), HELD_OUT["objects"], HELD_OUT["caption"])
    attention = attention_of(model, scene)
    DATA.mkdir(exist_ok=True)
    np.save(DATA / "vlm_attn.npy", attention.astype(np.float16))
    tokens = ["<s>"] + ["<image>"] * (GRID * GRID) + scene["caption"]
    (DATA / "vlm_tokens.txt").write_text("\n".join(tokens) + "\n")
    Image.fromarray(scene["pixels"]).save(DATA / "vlm_scene.png", optimize=True)
    committed = word_shares(attention.astype(np.float16).astype(np.float32), scene)
    truth = {
        "image": "vlm_scene.png", "image_pixels": [SIDE, SIDE], "grid": [GRID, GRID],
        "patch_pixels": PATCH, "image_span": [1, 1 + GRID * GRID],
        "caption": scene["caption"],
        "caption_positions": [1 + GRID * GRID + i for i in range(len(scene["caption"]))],
        "objects": [dict(o, patches=cell_patches(o["cell"])) for o in scene["objects"]],
        "chance": chance,
        "best_head": [int(best[0]), int(best[1])],
        "held_out_50": {
            "words": len(per_head),
            "best_head_mean": round(float(mean_head[best]), 4),
            "best_head_min": round(float(best_shares.min()), 4),
            "best_head_median": round(float(np.median(best_shares)), 4),
            "best_head_words_at_least_half": int((best_shares >= 0.5).sum()),
            "best_head_words_at_or_below_chance": int((best_shares <= chance).sum()),
            "per_head_mean": np.round(mean_head, 4).tolist(),
            "fused_mean_by_layer": np.round(fused.mean(0), 4).tolist(),
        },
        "committed_scene": [
            {"position": 1 + GRID * GRID + r["token"], "word": r["word"],
             "best_head_share": round(float(r["per_head"][best]), 4),
             "fused_share_by_layer": np.round(r["fused"], 4).tolist()}
            for r in committed
        ],
    }
    (DATA / "vlm_truth.json").write_text(json.dumps(truth, indent=1) + "\n")
    for r in committed:
        print(f"committed scene: {r['word']}: best head {r['per_head'][best]:.3f}, "
              f"fused by layer {np.round(r['fused'], 3).tolist()}")
    print(f"total run time {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
