#!/usr/bin/python3
"""Train tiny transformers on toy tasks and dump their attention as attnviz sample data.

Each task is chosen so that the attention pattern it needs is known in advance (an offset-3
copy head, an anti-diagonal reversal head, previous-token + induction heads, a source/target
alignment in cross-attention).  The script then *measures* those patterns on the dumped arrays,
so data/README.md and data/patterns.json only claim what the numbers show.

Run with Debian's interpreter (it has python3-torch and python3-numpy):

    /usr/bin/python3 scripts/make-sample-data.py

Everything is seeded and single-threaded, so a rerun on the same machine rewrites every file
in data/ byte for byte (other torch versions may give slightly different numbers).
"""

import json
import math
import struct
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
REGEN_COMMAND = "/usr/bin/python3 scripts/make-sample-data.py"
# Wall-clock time is not written by the script itself (it would make README.md differ on every
# run); this note is updated by hand from the "total run time" line the script prints.
RUNTIME_NOTE = ("about 1.5 minutes on an idle 2-core machine (one CPU thread); wall time "
                "grows with contention: 3-10 minutes were measured while parallel compiles "
                "loaded the 2 CPUs (load average 3-13)")

D_MODEL = 64
N_HEADS = 4
BATCH = 64

LETTERS = [chr(ord("A") + i) for i in range(26)]
SYLLABLES = [c + v for c in "bdfgklmnprst" for v in "aeiou"]  # 60 readable "words"
BOS, SEP, EOS = "<bos>", "<sep>", "<eos>"

# Display names of the measured scores, used when labelling a head in the README.
PATTERN_NAMES = {
    "prev": "previous-token head",
    "self": "self (diagonal) head",
    "first": "first-token (`<bos>`) head",
    "offset_3": "offset -3 copy head",
    "anti_diag": "anti-diagonal (reversal) head",
    "induction": "induction head",
    "induction_all": "induction head (over all earlier copies)",
    "duplicate": "duplicate-token head",
    "diag_alignment": "source-alignment head",
}
CLAIM_THRESHOLD = 0.5  # a head is labelled with a pattern only if its score reaches this
BORDERLINE = 0.6  # labels scoring below this are flagged as borderline in the README


# ----------------------------------------------------------------------------------------------
# Model: a minimal pre-LayerNorm transformer that keeps its softmax attention probabilities.
# ----------------------------------------------------------------------------------------------


class Attention(nn.Module):
    """Multi-head attention that stores the exact softmax probabilities of its last call."""

    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.d_head = d_model // n_heads
        self.q = nn.Linear(d_model, d_model)
        self.k = nn.Linear(d_model, d_model)
        self.v = nn.Linear(d_model, d_model)
        self.o = nn.Linear(d_model, d_model)
        self.probs = None  # (batch, heads, queries, keys) from the last forward pass

    def forward(self, x_query, x_key, causal):
        b, n_q, d = x_query.shape
        n_k = x_key.shape[1]
        q = self.q(x_query).view(b, n_q, self.n_heads, self.d_head).transpose(1, 2)
        k = self.k(x_key).view(b, n_k, self.n_heads, self.d_head).transpose(1, 2)
        v = self.v(x_key).view(b, n_k, self.n_heads, self.d_head).transpose(1, 2)
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.d_head)
        if causal:
            # -inf before the softmax makes the masked (future) entries exactly 0.0.
            future = torch.ones(n_q, n_k, dtype=torch.bool).triu(1)
            scores = scores.masked_fill(future, float("-inf"))
        probs = scores.softmax(dim=-1)
        self.probs = probs.detach()
        out = (probs @ v).transpose(1, 2).reshape(b, n_q, d)
        return self.o(out)


def mlp(d_model):
    return nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(), nn.Linear(4 * d_model, d_model))


class Block(nn.Module):
    """Self-attention (+ optional cross-attention) (+ optional MLP), pre-LayerNorm residual."""

    def __init__(self, causal, cross=False, use_mlp=True):
        super().__init__()
        self.causal = causal
        self.ln_attn = nn.LayerNorm(D_MODEL)
        self.attn = Attention(D_MODEL, N_HEADS)
        self.ln_cross = nn.LayerNorm(D_MODEL) if cross else None
        self.cross = Attention(D_MODEL, N_HEADS) if cross else None
        self.ln_mlp = nn.LayerNorm(D_MODEL) if use_mlp else None
        self.mlp = mlp(D_MODEL) if use_mlp else None

    def forward(self, x, memory=None):
        h = self.ln_attn(x)
        x = x + self.attn(h, h, self.causal)
        if self.cross is not None:
            x = x + self.cross(self.ln_cross(x), memory, causal=False)
        if self.mlp is not None:
            x = x + self.mlp(self.ln_mlp(x))
        return x


class DecoderLM(nn.Module):
    """Causal decoder-only model: token + learned position embeddings, blocks, unembedding."""

    def __init__(self, vocab_size, n_ctx, n_layers, use_mlp=True):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, D_MODEL)
        self.pos = nn.Embedding(n_ctx, D_MODEL)
        self.blocks = nn.ModuleList(Block(causal=True, use_mlp=use_mlp) for _ in range(n_layers))
        self.ln_out = nn.LayerNorm(D_MODEL)
        self.unembed = nn.Linear(D_MODEL, vocab_size)

    def forward(self, ids):
        x = self.tok(ids) + self.pos(torch.arange(ids.shape[1]))
        for block in self.blocks:
            x = block(x)
        return self.unembed(self.ln_out(x))

    def attention(self):
        """(layers, heads, n, n) self-attention of the first batch item of the last call."""
        return torch.stack([blk.attn.probs[0] for blk in self.blocks])


class EncoderDecoder(nn.Module):
    """Tiny encoder-decoder; the decoder's cross-attention is what we dump."""

    def __init__(self, src_vocab, tgt_vocab, n_src, n_tgt, enc_layers, dec_layers):
        super().__init__()
        self.src_tok = nn.Embedding(src_vocab, D_MODEL)
        self.src_pos = nn.Embedding(n_src, D_MODEL)
        self.tgt_tok = nn.Embedding(tgt_vocab, D_MODEL)
        self.tgt_pos = nn.Embedding(n_tgt, D_MODEL)
        self.encoder = nn.ModuleList(Block(causal=False) for _ in range(enc_layers))
        self.ln_memory = nn.LayerNorm(D_MODEL)
        self.decoder = nn.ModuleList(Block(causal=True, cross=True) for _ in range(dec_layers))
        self.ln_out = nn.LayerNorm(D_MODEL)
        self.unembed = nn.Linear(D_MODEL, tgt_vocab)

    def forward(self, src, tgt_in):
        m = self.src_tok(src) + self.src_pos(torch.arange(src.shape[1]))
        for block in self.encoder:
            m = block(m)
        m = self.ln_memory(m)
        x = self.tgt_tok(tgt_in) + self.tgt_pos(torch.arange(tgt_in.shape[1]))
        for block in self.decoder:
            x = block(x, memory=m)
        return self.unembed(self.ln_out(x))

    def cross_attention(self):
        """(layers, heads, target, source) cross-attention of the first batch item."""
        return torch.stack([blk.cross.probs[0] for blk in self.decoder])


# ----------------------------------------------------------------------------------------------
# Training
# ----------------------------------------------------------------------------------------------


def train(model, make_batch, steps, lr, seed, name):
    """AdamW with linear warm-up and cosine decay; loss only where the batch's mask is set.

    make_batch(generator, size) returns (model inputs tuple, targets, loss mask)."""
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warmup = max(1, steps // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * s / steps)))
    model.train()
    for step in range(steps):
        inputs, targets, mask = make_batch(gen, BATCH)
        logits = model(*inputs)
        loss = F.cross_entropy(logits[mask], targets[mask])
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        schedule.step()
        if step % max(1, steps // 5) == 0 or step == steps - 1:
            print(f"  [{name}] step {step:5d}  loss {loss.item():.4f}", flush=True)
    model.eval()


@torch.no_grad()
def evaluate(model, make_batch, seed, size=512):
    """Held-out loss and token accuracy on the positions the task scores."""
    inputs, targets, mask = make_batch(torch.Generator().manual_seed(seed), size)
    logits = model(*inputs)
    loss = F.cross_entropy(logits[mask], targets[mask]).item()
    acc = (logits.argmax(-1)[mask] == targets[mask]).float().mean().item()
    return {"loss": round(loss, 4), "accuracy": round(acc, 4)}


def random_ids(gen, size, length, low, high):
    return torch.randint(low, high, (size, length), generator=gen)


# ----------------------------------------------------------------------------------------------
# Tasks. Each returns a dict describing the trained model, the example and its attention.
# ----------------------------------------------------------------------------------------------

COPY_K = 3
COPY_N = 24  # <bos> + 23 letters


def task_copy_offset():
    """Output at position i is the input token at i-3: needs a head attending at offset -3."""
    vocab = [BOS] + LETTERS

    def make_batch(gen, size):
        ids = random_ids(gen, size, COPY_N, 1, len(vocab))
        ids[:, 0] = 0
        targets = torch.zeros_like(ids)
        targets[:, COPY_K:] = ids[:, :-COPY_K]
        mask = torch.zeros_like(ids, dtype=torch.bool)
        mask[:, COPY_K:] = True
        return (ids,), targets, mask

    torch.manual_seed(11)
    model = DecoderLM(len(vocab), COPY_N, n_layers=2)
    steps, lr = 500, 3e-3
    train(model, make_batch, steps, lr, seed=12, name="copy_offset")
    metrics = evaluate(model, make_batch, seed=13)
    (ids,), targets, mask = make_batch(torch.Generator().manual_seed(14), 1)
    with torch.no_grad():
        logits = model(ids)
    example_acc = (logits.argmax(-1)[mask] == targets[mask]).float().mean().item()
    return {
        "attention": model.attention().numpy(),
        "tokens": [vocab[i] for i in ids[0].tolist()],
        "model": "attnviz-sample copy_offset 2L4H d64 (decoder-only, causal)",
        "task": (f"copy with an offset: a random letter sequence after `<bos>`; the output at "
                 f"position i is the input token at i-{COPY_K} (trained on positions i >= {COPY_K})"),
        "size": "2 layers, 4 heads, d_model 64, MLP 256, learned positions",
        "steps": steps, "lr": lr, "seed": 11,
        "metrics": {**metrics, "example_accuracy": round(example_acc, 4)},
        "score_args": {"offset": COPY_K},
    }


REV_L = 12
REV_N = 2 * REV_L + 2  # <bos> x1..xL <sep> xL..x1


def task_reverse():
    """<bos> a b c ... <sep> then the letters reversed: needs anti-diagonal attention."""
    vocab = [BOS, SEP] + LETTERS

    def make_batch(gen, size):
        src = random_ids(gen, size, REV_L, 2, len(vocab))
        ids = torch.cat([torch.zeros(size, 1, dtype=torch.long), src,
                         torch.ones(size, 1, dtype=torch.long), src.flip(1)], dim=1)
        targets = torch.zeros_like(ids)
        targets[:, :-1] = ids[:, 1:]
        mask = torch.zeros_like(ids, dtype=torch.bool)
        mask[:, REV_L + 1:-1] = True  # from <sep> on, predict the reversed letters
        return (ids,), targets, mask

    torch.manual_seed(21)
    model = DecoderLM(len(vocab), REV_N, n_layers=2)
    steps, lr = 800, 3e-3
    train(model, make_batch, steps, lr, seed=22, name="reverse")
    metrics = evaluate(model, make_batch, seed=23)
    (ids,), targets, mask = make_batch(torch.Generator().manual_seed(24), 1)
    with torch.no_grad():
        logits = model(ids)
    example_acc = (logits.argmax(-1)[mask] == targets[mask]).float().mean().item()
    return {
        "attention": model.attention().numpy(),
        "tokens": [vocab[i] for i in ids[0].tolist()],
        "model": "attnviz-sample reverse 2L4H d64 (decoder-only, causal)",
        "task": (f"reversal: `<bos>`, {REV_L} random letters, `<sep>`, then the same letters reversed; "
                 f"next-token loss on the reversed part only"),
        "size": "2 layers, 4 heads, d_model 64, MLP 256, learned positions",
        "steps": steps, "lr": lr, "seed": 21,
        "metrics": {**metrics, "example_accuracy": round(example_acc, 4)},
        "score_args": {"reverse_len": REV_L},
    }


IND_N = 41  # dumped example: <bos> + 40 tokens
IND_TRAIN_N = 45  # trained a little longer, so even the last dumped positions act as earlier copies
IND_PERIODS = (4, 20)  # training periods (inclusive)


def induction_sequence(gen, period, length):
    """<bos>, then `period` distinct random syllables repeated to fill `length` tokens."""
    segment = torch.randperm(len(SYLLABLES), generator=gen)[:period] + 1
    reps = -(-length // period)
    return torch.cat([torch.zeros(1, dtype=torch.long), segment.repeat(reps)[:length]])


def induction_training_batch(gen, size, length):
    """Rows of <bos> then back-to-back segments each shown twice: s1 s1 s2 s2 s3 s3 ...

    Each segment is p distinct random syllables; p (4-20) and the phase where the row starts
    vary per row, so no fixed positional offset solves the task, and every position can be an
    earlier copy, so layer 0 has to mark the previous token everywhere. Returns the ids and a
    mask of the queries whose next token the earlier copy predicts."""
    periods = torch.randint(IND_PERIODS[0], IND_PERIODS[1] + 1, (size, 1), generator=gen)
    phases = (torch.rand(size, 1, generator=gen) * 2 * periods).long()
    rel = torch.arange(-1, length)[None, :] + phases  # index into the tiled stream, per row
    blocks = rel // (2 * periods)
    n_blocks = int(blocks.max()) + 1
    segments = torch.rand(size, n_blocks, len(SYLLABLES), generator=gen).argsort(dim=2) + 1
    flat = segments.reshape(size, -1)
    ids = flat.gather(1, (blocks * len(SYLLABLES) + rel % periods).clamp(min=0))
    ids[:, 0] = 0
    # Query q predicts q+1. That is predictable when q+1 lies in a second copy and the
    # query's own earlier copy, at q-p, is inside the row (position >= 1).
    target_rel = rel + 1
    in_second = (target_rel % (2 * periods)) >= periods + 1
    q = torch.arange(length + 1)[None, :]
    mask = in_second & (q - periods >= 1) & (q < length)
    return ids, mask


def task_induction():
    """Repeated random sequences: the repeats are predictable only by induction.

    A 2-layer attention-only model has to compose a previous-token head (layer 0) with an
    induction head (layer 1).  The loss is taken only on the predictable (repeated) tokens."""
    vocab = [BOS] + SYLLABLES

    def make_batch(gen, size):
        ids, mask = induction_training_batch(gen, size, IND_TRAIN_N - 1)
        targets = torch.zeros_like(ids)
        targets[:, :-1] = ids[:, 1:]
        return (ids,), targets, mask

    torch.manual_seed(31)
    model = DecoderLM(len(vocab), IND_TRAIN_N, n_layers=2, use_mlp=False)
    steps, lr = 2500, 2e-3
    train(model, make_batch, steps, lr, seed=32, name="induction")
    metrics = evaluate(model, make_batch, seed=33)

    examples = {}
    for name, period, length in (("twice", 20, IND_N - 1), ("three_times", 10, 30)):
        ids = induction_sequence(torch.Generator().manual_seed(34 + period), period, length)[None]
        with torch.no_grad():
            logits = model(ids)
        second = torch.arange(period + 1, ids.shape[1] - 1)  # next token is predictable
        second_loss = F.cross_entropy(logits[0, second], ids[0, second + 1]).item()
        second_acc = (logits[0, second].argmax(-1) == ids[0, second + 1]).float().mean().item()
        first = torch.arange(1, period)  # inside the first copy: unpredictable and never trained on
        first_loss = F.cross_entropy(logits[0, first], ids[0, first + 1]).item()
        examples[name] = {
            "attention": model.attention().numpy(),
            "tokens": [vocab[i] for i in ids[0].tolist()],
            "period": period,
            "example_repeat_loss": round(second_loss, 4),
            "example_repeat_accuracy": round(second_acc, 4),
            "example_first_copy_loss": round(first_loss, 4),
        }
    common = {
        "model": "attnviz-sample induction 2L4H d64 attention-only (decoder-only, causal)",
        "task": (f"repeated random sequences: `<bos>`, then {IND_TRAIN_N - 1} syllables made of random "
                 f"segments each shown twice (s1 s1 s2 s2 ...; segment length "
                 f"{IND_PERIODS[0]}-{IND_PERIODS[1]} distinct syllables, random phase); "
                 f"next-token loss only where the earlier copy predicts the token"),
        "size": "2 layers, 4 heads, d_model 64, attention-only (no MLP), learned positions",
        "steps": steps, "lr": lr, "seed": 31,
    }
    out = []
    for name, ex in examples.items():
        metrics_ex = {**metrics, "example_repeat_loss": ex.pop("example_repeat_loss"),
                      "example_repeat_accuracy": ex.pop("example_repeat_accuracy"),
                      "example_first_copy_loss": ex.pop("example_first_copy_loss")}
        out.append({**common, **ex, "metrics": metrics_ex, "score_args": {"period": ex["period"]}})
    return out


S2S_S = 10  # source syllables; the target spells each as two letters
S2S_LETTERS = sorted(set("".join(SYLLABLES)))


def task_seq2seq():
    """Spell syllables as letters: target letters 2t and 2t+1 come from source syllable t.

    Decoder input is <bos> + the 2S letters (2S+1 queries over S source keys), so the
    cross-attention is non-square and should follow the line key = query // 2."""
    src_vocab = SYLLABLES
    tgt_vocab = [BOS, EOS] + S2S_LETTERS
    spell = torch.tensor([[tgt_vocab.index(s[0]), tgt_vocab.index(s[1])] for s in SYLLABLES])

    def make_batch(gen, size):
        src = random_ids(gen, size, S2S_S, 0, len(src_vocab))
        letters = spell[src].reshape(size, 2 * S2S_S)
        tgt_in = torch.cat([torch.zeros(size, 1, dtype=torch.long), letters], dim=1)
        targets = torch.cat([letters, torch.ones(size, 1, dtype=torch.long)], dim=1)
        mask = torch.ones_like(targets, dtype=torch.bool)
        return (src, tgt_in), targets, mask

    torch.manual_seed(41)
    model = EncoderDecoder(len(src_vocab), len(tgt_vocab), S2S_S, 2 * S2S_S + 1,
                           enc_layers=1, dec_layers=2)
    steps, lr = 500, 3e-3
    train(model, make_batch, steps, lr, seed=42, name="seq2seq")
    metrics = evaluate(model, make_batch, seed=43)
    (src, tgt_in), targets, mask = make_batch(torch.Generator().manual_seed(44), 1)
    with torch.no_grad():
        logits = model(src, tgt_in)
    example_acc = (logits.argmax(-1) == targets).float().mean().item()
    return {
        "attention": model.cross_attention().numpy(),
        "query_tokens": [tgt_vocab[i] for i in tgt_in[0].tolist()],
        "key_tokens": [src_vocab[i] for i in src[0].tolist()],
        "model": "attnviz-sample seq2seq spelling, encoder 1L + decoder 2L, 4H d64",
        "task": (f"spelling: {S2S_S} random syllables (source) -> their letters (target, two per "
                 f"syllable, then `<eos>`); teacher-forced decoder input starts with `<bos>`"),
        "size": "encoder 1 layer, decoder 2 layers (causal self-attn + cross-attn + MLP), 4 heads, d_model 64",
        "steps": steps, "lr": lr, "seed": 41,
        "metrics": {**metrics, "example_accuracy": round(example_acc, 4)},
        "score_args": {"cross": True},
    }


# ----------------------------------------------------------------------------------------------
# Pattern scores, measured on the dumped arrays (row 0 of a causal map is always [1, 0, ...],
# so the generic scores average over queries i >= 1).
# ----------------------------------------------------------------------------------------------


def mean_at(a, queries, keys):
    return float(np.mean(a[np.asarray(queries), np.asarray(keys)]))


def head_scores(a, offset=None, reverse_len=None, period=None, cross=False):
    """Scores of one (queries, keys) map; which task-specific ones depends on the task."""
    n_q, n_k = a.shape
    scores = {}
    if cross:
        # query t (decoder input) predicts target letter t, spelled from source syllable t // 2
        q = np.arange(0, min(n_q, 2 * n_k))
        scores["first"] = mean_at(a, q, np.zeros_like(q))
        scores["diag_alignment"] = mean_at(a, q, q // 2)
        return scores
    i = np.arange(1, n_q)
    scores["prev"] = mean_at(a, i, i - 1)
    scores["self"] = mean_at(a, i, i)
    scores["first"] = mean_at(a, i, np.zeros_like(i))
    if offset is not None:
        i = np.arange(offset, n_q)
        scores[f"offset_{offset}"] = mean_at(a, i, i - offset)
    if reverse_len is not None:
        # queries <sep> .. second-last output letter predict x_L .. x_1; the source of the
        # letter to output next sits at key 2L+1-q (the mirror image across <sep>, shifted by 1)
        length = reverse_len
        q = np.arange(length + 1, 2 * length + 1)
        scores["anti_diag"] = mean_at(a, q, 2 * length + 1 - q)
    if period is not None:
        # TransformerLens: queries in the repeats, key = token after the earlier copy (i-p+1)
        i = np.arange(period + 1, n_q)
        scores["induction"] = mean_at(a, i, i - period + 1)
        scores["duplicate"] = mean_at(a, i, i - period)
        # with three or more copies the mass can split over all earlier copies
        scores["induction_all"] = float(np.mean(
            [sum(a[q, q - m * period + 1] for m in range(1, (q - 1) // period + 1)) for q in i]))
    return scores


def measure(attention, score_args):
    """Per-head score dicts (rounded to 4 decimals) plus a label for each clear pattern."""
    heads = []
    for layer in range(attention.shape[0]):
        for head in range(attention.shape[1]):
            scores = head_scores(attention[layer, head].astype(np.float64), **score_args)
            scores = {k: round(v, 4) for k, v in scores.items()}
            clear = [k for k, v in scores.items() if v >= CLAIM_THRESHOLD]
            heads.append({"layer": layer, "head": head, **scores, "patterns": clear})
    return heads


# ----------------------------------------------------------------------------------------------
# Writers (each file is reloaded and checked afterwards).
# ----------------------------------------------------------------------------------------------


def write_npy_with_tokens(stem, attention, tokens):
    np.save(DATA / f"{stem}.npy", attention.astype("<f4"))
    (DATA / f"{stem}.tokens.txt").write_text("".join(t + "\n" for t in tokens), encoding="utf-8")


def write_npz(name, attention, tokens):
    # numpy's zip writer stamps every member with 1980-01-01, so the bytes are reproducible.
    np.savez_compressed(DATA / name, attention=attention.astype("<f4"), tokens=np.array(tokens))


def patterns_json_text(patterns):
    """Indented JSON, but each head (and each shape) on one line so the file reads like a table."""
    one_line = {}

    def mark(obj):
        key = f"@@{len(one_line)}@@"
        one_line[key] = json.dumps(obj)
        return key

    def compact(obj):
        if isinstance(obj, dict) and "head" in obj:
            return mark(obj)
        if isinstance(obj, dict):
            return {k: compact(v) for k, v in obj.items()}
        if isinstance(obj, list) and all(isinstance(x, (int, float)) for x in obj):
            return mark(obj)
        if isinstance(obj, list):
            return [compact(x) for x in obj]
        return obj

    text = json.dumps(compact(patterns), indent=1)
    for key, line in one_line.items():
        text = text.replace(f'"{key}"', line)
    return text + "\n"


def nested_6g(attention):
    """Nested lists with 6 significant digits: small JSON, still rows summing to ~1."""
    return [[[[float(f"{x:.6g}") for x in row] for row in head] for head in layer]
            for layer in attention.tolist()]


def write_json(name, obj):
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    (DATA / name).write_text(text + "\n", encoding="utf-8")


def write_safetensors_f16(name, attention, tokens, model):
    """safetensors by hand: u64 LE header length, JSON header padded with spaces to a multiple
    of 8 (so the data starts 8-byte aligned, like the real library), then raw LE float16."""
    blobs, header, offset = [], {"__metadata__": {"model": model, "tokens": json.dumps(tokens)}}, 0
    for layer in range(attention.shape[0]):
        blob = np.ascontiguousarray(attention[layer].astype("<f2")).tobytes()
        header[f"layers.{layer}.attn"] = {"dtype": "F16", "shape": list(attention.shape[1:]),
                                          "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    (DATA / name).write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def read_safetensors(path):
    """Minimal independent reader used to check the hand-written file."""
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    assert (8 + n) % 8 == 0, "data section not 8-byte aligned"
    data = raw[8 + n:]
    tensors, expected_begin = {}, 0
    for key, info in header.items():
        if key == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        assert begin == expected_begin, "tensors not contiguous"
        expected_begin = end
        assert info["dtype"] == "F16"
        tensors[key] = np.frombuffer(data[begin:end], dtype="<f2").reshape(info["shape"])
    assert expected_begin == len(data), "trailing bytes after the last tensor"
    return header["__metadata__"], tensors


def check_attention(a, causal, tol, what):
    """Rows are probability distributions; causal maps are exactly zero above the diagonal."""
    a = np.asarray(a, dtype=np.float64)
    assert a.ndim == 4, what
    assert np.all(a >= 0), what
    row_err = np.abs(a.sum(-1) - 1).max()
    assert row_err <= tol, f"{what}: rows sum off by {row_err}"
    if causal:
        n = a.shape[-1]
        assert np.all(a[..., np.triu_indices(n, 1)[0], np.triu_indices(n, 1)[1]] == 0), what
    return row_err


def reload_and_check(dumps):
    """Read every file back with numpy/json only and compare it with what was written."""
    errs = {}
    by_file = {d["file"]: d for d in dumps}

    a = np.load(DATA / "induction.npy")
    d = by_file["induction.npy"]
    assert a.dtype == np.dtype("<f4") and a.flags.c_contiguous and a.shape == d["attention"].shape
    toks = (DATA / "induction.tokens.txt").read_text(encoding="utf-8")
    assert toks.endswith("\n") and toks.split("\n")[:-1] == d["tokens"] and len(d["tokens"]) == a.shape[-1]
    assert np.array_equal(a, d["attention"])
    errs["induction.npy"] = check_attention(a, True, 1e-5, "induction.npy")

    with np.load(DATA / "copy_offset.npz") as z:
        a, toks = z["attention"], z["tokens"]
    d = by_file["copy_offset.npz"]
    assert a.dtype == np.dtype("<f4") and toks.dtype.kind == "U" and toks.tolist() == d["tokens"]
    assert np.array_equal(a, d["attention"]) and len(toks) == a.shape[-1]
    errs["copy_offset.npz"] = check_attention(a, True, 1e-5, "copy_offset.npz")

    j = json.loads((DATA / "reverse.json").read_text(encoding="utf-8"))
    d = by_file["reverse.json"]
    a = np.array(j["attention"])
    assert j["axes"] == ["layer", "head", "query", "key"] and j["tokens"] == d["tokens"]
    assert a.shape == d["attention"].shape and np.abs(a - d["attention"]).max() < 1e-5
    errs["reverse.json"] = check_attention(a, True, 1e-5, "reverse.json")

    meta, tensors = read_safetensors(DATA / "induction_layers.safetensors")
    d = by_file["induction_layers.safetensors"]
    assert json.loads(meta["tokens"]) == d["tokens"] and meta["model"] == d["model"]
    a = np.stack([tensors[f"layers.{i}.attn"] for i in range(len(tensors))])
    assert a.shape == d["attention"].shape and np.abs(a - d["attention"]).max() < 1e-3
    errs["induction_layers.safetensors"] = check_attention(a, True, 5e-3, "induction_layers.safetensors")

    j = json.loads((DATA / "seq2seq_cross.json").read_text(encoding="utf-8"))
    d = by_file["seq2seq_cross.json"]
    a = np.array(j["attention"])
    assert j["query_tokens"] == d["query_tokens"] and j["key_tokens"] == d["key_tokens"]
    assert a.shape == (a.shape[0], a.shape[1], len(j["query_tokens"]), len(j["key_tokens"]))
    assert a.shape[2] != a.shape[3] and np.abs(a - d["attention"]).max() < 1e-5
    errs["seq2seq_cross.json"] = check_attention(a, False, 1e-5, "seq2seq_cross.json")

    # The scores in patterns.json must be reproducible from the files as written.
    patterns = json.loads((DATA / "patterns.json").read_text(encoding="utf-8"))
    for name in by_file:
        assert patterns["files"][name]["heads"] == by_file[name]["heads"], name
    return errs


# ----------------------------------------------------------------------------------------------
# README
# ----------------------------------------------------------------------------------------------

FORMAT_NOTES = {
    "induction.npy": ("`np.save` of a float32 little-endian C-order array, shape {shape}, axes "
                      "(layer, head, query, key). Tokens: `induction.tokens.txt` beside it, one per "
                      "line, UTF-8, final newline (attnviz finds `STEM.tokens.txt` automatically)."),
    "copy_offset.npz": ("`np.savez_compressed` with members `attention` (float32, shape {shape}, "
                        "axes layer, head, query, key) and `tokens` (numpy unicode `<U` array)."),
    "reverse.json": ("JSON object `{{model, axes, tokens, attention}}`, `axes` = "
                     "[\"layer\",\"head\",\"query\",\"key\"], `attention` nested lists of shape "
                     "{shape}, values rounded to 6 significant digits."),
    "induction_layers.safetensors": (
        "safetensors written by hand: u64 LE header length, JSON header (padded with spaces so "
        "the data starts 8-byte aligned), raw data. One F16 tensor per layer, `layers.0.attn`, "
        "`layers.1.attn`, each [heads, query, key] = {layer_shape}; `__metadata__` holds `model` "
        "and `tokens` (a JSON-encoded list of strings)."),
    "seq2seq_cross.json": (
        "JSON object `{{model, axes, query_tokens, key_tokens, attention}}`: decoder "
        "cross-attention, shape {shape} = (layer, head, target query, source key), values rounded "
        "to 6 significant digits. Not causal and not square: the query axis is the decoder input "
        "(`<bos>` + letters), the key axis the source syllables."),
}

SCORE_DEFINITIONS = {
    "prev": "mean over queries i >= 1 of A[i, i-1]",
    "self": "mean over i >= 1 of A[i, i]",
    "first": "mean over i >= 1 of A[i, 0] (cross-attention: over the scored queries)",
    "offset_3": "mean over i >= 3 of A[i, i-3]",
    "anti_diag": ("reverse task with L letters: mean over queries q = L+1 (`<sep>`) .. 2L of "
                  "A[q, 2L+1-q], the source position of the letter to be output next"),
    "induction": ("period p: mean over queries i = p+1 .. n-1 (the repeats) of A[i, i-p+1], the "
                  "token after the earlier copy of the current token (TransformerLens definition)"),
    "duplicate": "period p: mean over i = p+1 .. n-1 of A[i, i-p], the earlier copy itself",
    "induction_all": ("period p: like `induction` but summing A[i, i-mp+1] over every earlier copy "
                      "m = 1, 2, ... (equals `induction` when the sequence is repeated only twice)"),
    "diag_alignment": ("cross-attention: mean over queries t = 0 .. 2S-1 of A[t, t // 2], the "
                       "source syllable that the next target letter spells"),
}


METRIC_NAMES = {
    "example_accuracy": "accuracy",
    "example_repeat_loss": "loss on the repeats (tokens predictable from an earlier copy)",
    "example_repeat_accuracy": "accuracy on the repeats",
    "example_first_copy_loss": ("loss inside the first copy (unpredictable and never trained on, "
                                "for contrast)"),
}


def shape_text(shape):
    return "(" + ", ".join(str(s) for s in shape) + ")"


def readme_text(dumps, sizes):
    out = ["# attnviz sample data", "",
           "Attention maps from tiny transformers trained on toy tasks whose attention pattern is "
           "known in advance. Every file holds the real softmax probabilities of one example "
           "input (rows sum to 1; causal maps are exactly 0 above the diagonal).", "",
           f"Regenerate with `{REGEN_COMMAND}` (from the repository root; Debian's python3 with "
           f"python3-torch and python3-numpy). It takes {RUNTIME_NOTE}. Seeds are fixed and "
           "torch runs single-threaded with deterministic algorithms, so a rerun on the same "
           "machine rewrites identical bytes; other torch versions may differ slightly.", "",
           "The per-head scores below are measured from the files themselves and are also in "
           "`patterns.json` (machine-readable, for checking a head classifier). A head is "
           f"labelled with a pattern only when its score is >= {CLAIM_THRESHOLD}.", "",
           "## Files", ""]
    out += ["| file | bytes | attention shape | dtype | tokens |", "|---|---|---|---|---|"]
    for d in dumps:
        dtype = "float16" if d["file"].endswith(".safetensors") else "float32"
        if d["file"].endswith(".json"):
            dtype = "JSON numbers (float32 values, 6 s.f.)"
        if "query_tokens" in d:
            tok = f"{len(d['query_tokens'])} query (target) / {len(d['key_tokens'])} key (source)"
        else:
            tok = str(len(d["tokens"]))
        out.append(f"| `{d['file']}` | {sizes[d['file']]} | {shape_text(d['attention'].shape)} "
                   f"| {dtype} | {tok} |")
    out.append(f"| `induction.tokens.txt` | {sizes['induction.tokens.txt']} | | | tokens of `induction.npy` |")
    out.append(f"| `patterns.json` | {sizes['patterns.json']} | | | measured per-head scores |")
    out.append("")
    for d in dumps:
        a = d["attention"]
        out += [f"## `{d['file']}`", ""]
        out.append("- **Format:** " + FORMAT_NOTES[d["file"]].format(
            shape=shape_text(a.shape), layer_shape=list(a.shape[1:])))
        out.append(f"- **Model:** {d['model']}; {d['size']}.")
        out.append(f"- **Task:** {d['task']}.")
        m = d["metrics"]
        example = "; ".join(f"{METRIC_NAMES[k]} {v}" for k, v in m.items() if k.startswith("example"))
        out.append(f"- **Training:** {d['steps']} steps of AdamW (batch {BATCH}, peak lr "
                   f"{d['lr']}, warm-up + cosine), model seed {d['seed']}. On 512 held-out "
                   f"sequences (scored positions only): loss {m['loss']}, accuracy {m['accuracy']}. "
                   f"Dumped example: {example}.")
        if "period" in d:
            out.append(f"- **Example:** period p = {d['period']}, {a.shape[-1]} tokens "
                       f"(`<bos>` + {(a.shape[-1] - 1) // d['period']} copies).")
        if "query_tokens" in d:
            out.append("- **Source tokens:** " + " ".join(f"`{t}`" for t in d["key_tokens"]))
            out.append("- **Target (query) tokens:** " + " ".join(f"`{t}`" for t in d["query_tokens"]))
        else:
            out.append("- **Tokens:** " + " ".join(f"`{t}`" for t in d["tokens"]))
        out.append("")
        claimed = [h for h in d["heads"] if h["patterns"]]
        if claimed:
            out.append(f"Heads with a score >= {CLAIM_THRESHOLD} (below {BORDERLINE} marked borderline):")
            out.append("")
            for h in claimed:
                shown = [p for p in h["patterns"]
                         if not (p == "induction_all" and "induction" in h["patterns"])]
                parts = [f"{PATTERN_NAMES[p]}, {p} = {h[p]:.2f}"
                         + (" (borderline)" if h[p] < BORDERLINE else "") for p in shown]
                if shown != h["patterns"]:
                    parts[-1] += f" (induction_all = {h['induction_all']:.2f})"
                out.append(f"- {d['file']} L{h['layer']}H{h['head']}: " + "; ".join(parts))
        else:
            out.append(f"No head reaches {CLAIM_THRESHOLD} on any score.")
        out.append("")
        keys = [k for k in d["heads"][0] if k not in ("layer", "head", "patterns")]
        out.append("| head | " + " | ".join(keys) + " |")
        out.append("|---|" + "---|" * len(keys))
        for h in d["heads"]:
            cells = [f"**{h[k]:.3f}**" if k in h["patterns"] else f"{h[k]:.3f}" for k in keys]
            out.append(f"| L{h['layer']}H{h['head']} | " + " | ".join(cells) + " |")
        out.append("")
    out += ["## Score definitions", "",
            "Measured on each head's (query, key) map A as stored in the file (the float16 file "
            "after conversion). Row 0 of a causal map is always [1, 0, ...], so the generic "
            "scores skip it.", ""]
    out += [f"- `{k}`: {v}" for k, v in SCORE_DEFINITIONS.items()]
    out.append("")
    return "\n".join(out)


# ----------------------------------------------------------------------------------------------


def main():
    start = time.time()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    DATA.mkdir(exist_ok=True)

    timings = {}

    def timed(name, fn):
        t0 = time.time()
        result = fn()
        timings[name] = time.time() - t0
        print(f"  [{name}] done in {timings[name]:.1f} s", flush=True)
        return result

    copy = timed("copy_offset", task_copy_offset)
    rev = timed("reverse", task_reverse)
    ind_twice, ind_three = timed("induction", task_induction)
    s2s = timed("seq2seq", task_seq2seq)

    copy["file"], rev["file"], s2s["file"] = "copy_offset.npz", "reverse.json", "seq2seq_cross.json"
    ind_twice["file"], ind_three["file"] = "induction.npy", "induction_layers.safetensors"
    dumps = [ind_twice, copy, rev, ind_three, s2s]

    # Round-trip through the stored precision first, so the scores describe the file exactly.
    write_npy_with_tokens("induction", ind_twice["attention"], ind_twice["tokens"])
    write_npz("copy_offset.npz", copy["attention"], copy["tokens"])
    write_json("reverse.json", {"model": rev["model"], "axes": ["layer", "head", "query", "key"],
                                "tokens": rev["tokens"], "attention": nested_6g(rev["attention"])})
    write_safetensors_f16("induction_layers.safetensors", ind_three["attention"],
                          ind_three["tokens"], ind_three["model"])
    write_json("seq2seq_cross.json", {
        "model": s2s["model"], "axes": ["layer", "head", "query", "key"],
        "query_tokens": s2s["query_tokens"], "key_tokens": s2s["key_tokens"],
        "attention": nested_6g(s2s["attention"])})

    rev["attention"] = np.array(json.loads((DATA / "reverse.json").read_text())["attention"])
    s2s["attention"] = np.array(json.loads((DATA / "seq2seq_cross.json").read_text())["attention"])
    _, tensors = read_safetensors(DATA / "induction_layers.safetensors")
    ind_three["attention"] = np.stack([tensors[f"layers.{i}.attn"] for i in range(len(tensors))])

    for d in dumps:
        d["heads"] = measure(d["attention"], d["score_args"])

    patterns = {
        "threshold": CLAIM_THRESHOLD,
        "definitions": SCORE_DEFINITIONS,
        "files": {d["file"]: {
            "model": d["model"],
            "shape": list(d["attention"].shape),
            **({"period": d["period"]} if "period" in d else {}),
            "heads": d["heads"],
        } for d in dumps},
    }
    (DATA / "patterns.json").write_text(patterns_json_text(patterns), encoding="utf-8")

    row_errors = reload_and_check(dumps)

    print("\nMeasured per-head scores (patterns >= %.1f marked *):" % CLAIM_THRESHOLD)
    for d in dumps:
        print(f"{d['file']}  shape {d['attention'].shape}  metrics {d['metrics']}  "
              f"max |row sum - 1| = {row_errors[d['file']]:.2e}")
        for h in d["heads"]:
            cells = "  ".join(f"{k}={v:.3f}{'*' if k in h['patterns'] else ' '}"
                              for k, v in h.items() if k not in ("layer", "head", "patterns"))
            print(f"  L{h['layer']}H{h['head']}  {cells}")

    files = ["induction.npy", "induction.tokens.txt", "copy_offset.npz", "reverse.json",
             "induction_layers.safetensors", "seq2seq_cross.json", "patterns.json"]
    sizes = {f: (DATA / f).stat().st_size for f in files}
    (DATA / "README.md").write_text(readme_text(dumps, sizes), encoding="utf-8")
    sizes["README.md"] = (DATA / "README.md").stat().st_size

    print("\nFiles:")
    for f, s in sizes.items():
        assert s < 1_000_000, f
        print(f"  data/{f:32s} {s:8d} bytes")
    total = sum(sizes.values())
    assert total < 3_000_000
    print(f"  total {total} bytes")
    print("timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    print(f"total run time {time.time() - start:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
