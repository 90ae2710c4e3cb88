#!/usr/bin/python3
"""Synthetic "speech" and a tiny transcriber whose decoder cross-attention aligns with it: the
sample data of `attnviz align` (data/speech.wav, speech_cross.npy, speech_tokens.txt,
speech_truth.json; data/README.md "Speech: word timing").

Each word of a 12-word vocabulary is a distinct two-formant tone (its own pair of frequencies
and a pitch glide), spoken for 120-320 ms, with 40-120 ms of near-silence between words. An
utterance holds 3-6 different words, is padded with silence to 3.2 s (as Whisper pads to 30 s) and
becomes 160 frames of 20 ms: the log of the STFT magnitude of each 320-sample frame, pooled into
32 bands. A 2-layer encoder and a 2-layer decoder (d = 32, 4 heads) learn to transcribe it with
teacher forcing. The dump is the decoder's cross-attention while it reads BOS w1 ... wn: row i is
the query that predicts token i (w1 ... wn, then <eos>), as Whisper's find_alignment rows are.

    /usr/bin/python3 scripts/make-speech-sample.py   # 2-8 minutes of one CPU thread

With torch 1.13 on this machine some backward passes of this model return corrupt gradients (the
same inputs and seed, norms of about 1e16 on one pass and 2 on the next; first seen with
nn.TransformerEncoder, still there with the layers written out), and a run diverged to NaN. So
gradients are clipped to norm 1 and a step whose gradient norm is not finite or above 1e4 is
skipped (the log counts them); which steps are hit varies, so reruns are not byte-identical.
"""

import json
import math
import wave
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"

RATE = 16000
FRAME = 320  # 20 ms
FRAMES = 160  # 3.2 s, every utterance padded to it
BANDS = 32
WORDS = ["ba", "di", "ko", "mu", "sa", "te", "lo", "ne", "pi", "ru", "ga", "vo"]
BOS, EOS = len(WORDS), len(WORDS) + 1
D, HEADS, LAYERS = 32, 4, 2
STEPS, BATCH = 1200, 24

# Each word's formants (Hz) and glide (relative change of pitch over the word).
FORMANTS = [(300 + 170 * k, 1100 + 260 * ((k * 5) % 12)) for k in range(len(WORDS))]
GLIDES = [(-0.15, 0.0, 0.15)[k % 3] for k in range(len(WORDS))]


def word_wave(word, seconds, rng):
    """One spoken word: two formants gliding together, with a smooth attack and release."""
    t = np.arange(int(seconds * RATE)) / RATE
    jitter = 1 + rng.uniform(-0.04, 0.04)
    glide = 1 + GLIDES[word] * t / seconds
    f1, f2 = FORMANTS[word]
    phase1 = 2 * np.pi * np.cumsum(f1 * jitter * glide) / RATE
    phase2 = 2 * np.pi * np.cumsum(f2 * jitter * glide) / RATE
    envelope = np.minimum(1, np.minimum(t, seconds - t) / 0.02)
    return envelope * (0.6 * np.sin(phase1) + 0.4 * np.sin(phase2)) * rng.uniform(0.4, 0.9)


def utterance(rng):
    """(waveform of 3.2 s, word ids, true (start, end) seconds of each word, speech seconds)."""
    words = rng.choice(len(WORDS), size=rng.integers(3, 7), replace=False)
    pieces, spans, now = [np.zeros(int(rng.uniform(0.08, 0.3) * RATE))], [], 0.0
    now = len(pieces[0]) / RATE
    for k, word in enumerate(words):
        if k:
            gap = np.zeros(int(rng.uniform(0.04, 0.12) * RATE))
            pieces.append(gap)
            now += len(gap) / RATE
        sound = word_wave(word, rng.uniform(0.12, 0.32), rng)
        spans.append((now, now + len(sound) / RATE))
        pieces.append(sound)
        now += len(sound) / RATE
    tail = np.zeros(int(rng.uniform(0.08, 0.2) * RATE))
    pieces.append(tail)
    speech = np.concatenate(pieces)
    speech = speech + rng.normal(0, 0.003, len(speech))
    padded = np.zeros(FRAMES * FRAME)
    padded[: len(speech)] = speech
    return padded, words, spans, len(speech) / RATE


def features(waveform):
    """FRAMES x BANDS: log STFT magnitude of each 20 ms frame, pooled into bands."""
    frames = waveform.reshape(FRAMES, FRAME) * np.hanning(FRAME)
    magnitude = np.abs(np.fft.rfft(frames, axis=1))[:, 1:161]  # 50 Hz .. 8 kHz
    bands = magnitude.reshape(FRAMES, BANDS, -1).mean(axis=2)
    return np.log(bands + 1e-3).astype(np.float32)


def batch(rng, size):
    xs, ys = [], []
    for _ in range(size):
        waveform, words, _, _ = utterance(rng)
        xs.append(features(waveform))
        ys.append(list(words))
    longest = max(len(y) for y in ys) + 1
    inputs = torch.full((size, longest), EOS, dtype=torch.long)
    targets = torch.full((size, longest), -100, dtype=torch.long)
    for b, y in enumerate(ys):
        inputs[b, : len(y) + 1] = torch.tensor([BOS] + y)
        targets[b, : len(y) + 1] = torch.tensor(y + [EOS])
    return torch.tensor(np.stack(xs)), inputs, targets


def sinusoids(length, dim):
    position = torch.arange(length)[:, None]
    scale = torch.exp(-math.log(10000) * torch.arange(0, dim, 2) / dim)
    table = torch.zeros(length, dim)
    table[:, 0::2], table[:, 1::2] = torch.sin(position * scale), torch.cos(position * scale)
    return table


class EncoderLayer(nn.Module):
    """Pre-norm self-attention and feed-forward over the frames."""

    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(D, HEADS, batch_first=True)
        self.ff = nn.Sequential(nn.Linear(D, 4 * D), nn.GELU(), nn.Linear(4 * D, D))
        self.norms = nn.ModuleList([nn.LayerNorm(D) for _ in range(2)])

    def forward(self, x):
        h = self.norms[0](x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.ff(self.norms[1](x))


class DecoderLayer(nn.Module):
    """Pre-norm self-attention, cross-attention (weights kept), feed-forward."""

    def __init__(self):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(D, HEADS, batch_first=True)
        self.cross_attn = nn.MultiheadAttention(D, HEADS, batch_first=True)
        self.ff = nn.Sequential(nn.Linear(D, 4 * D), nn.GELU(), nn.Linear(4 * D, D))
        self.norms = nn.ModuleList([nn.LayerNorm(D) for _ in range(3)])
        self.weights = None

    def forward(self, x, memory):
        causal = torch.triu(torch.ones(x.shape[1], x.shape[1], dtype=torch.bool), 1)
        h = self.norms[0](x)
        x = x + self.self_attn(h, h, h, attn_mask=causal, need_weights=False)[0]
        h = self.norms[1](x)
        out, self.weights = self.cross_attn(h, memory, memory, average_attn_weights=False)
        x = x + out
        return x + self.ff(self.norms[2](x))


class Transcriber(nn.Module):
    def __init__(self):
        super().__init__()
        self.project = nn.Sequential(nn.Linear(BANDS, D), nn.GELU())
        self.register_buffer("frame_positions", sinusoids(FRAMES, D))
        self.encoder = nn.Sequential(*[EncoderLayer() for _ in range(LAYERS)])
        self.embed = nn.Embedding(len(WORDS) + 2, D)
        self.token_positions = nn.Parameter(torch.randn(16, D) * 0.02)
        self.decoder = nn.ModuleList([DecoderLayer() for _ in range(LAYERS)])
        self.out = nn.Sequential(nn.LayerNorm(D), nn.Linear(D, len(WORDS) + 2))

    def forward(self, audio, tokens):
        memory = self.encoder(self.project(audio) + self.frame_positions)
        x = self.embed(tokens) + self.token_positions[: tokens.shape[1]]
        for layer in self.decoder:
            x = layer(x, memory)
        return self.out(x)

    def cross_attention(self):
        """(layers, heads, tokens, frames) of the last forward's first batch item."""
        return torch.stack([layer.weights[0] for layer in self.decoder])


def train(model, rng):
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, 2e-3, total_steps=STEPS)
    skipped = 0
    for step in range(STEPS):
        audio, inputs, targets = batch(rng, BATCH)
        loss = F.cross_entropy(model(audio, inputs).flatten(0, 1), targets.flatten())
        optimizer.zero_grad()
        loss.backward()
        norm = float(torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0))
        if math.isfinite(norm) and norm < 1e4:  # else a corrupt backward pass: skip it
            optimizer.step()
        else:
            skipped += 1
        schedule.step()
        if step % 100 == 0 or step == STEPS - 1:
            print(f"step {step}: loss {loss.item():.4f}, skipped steps {skipped}", flush=True)


@torch.no_grad()
def greedy(model, audio):
    tokens = [BOS]
    while len(tokens) < 10:
        logits = model(audio[None], torch.tensor([tokens]))
        tokens.append(int(logits[0, -1].argmax()))
        if tokens[-1] == EOS:
            break
    return tokens[1:]


@torch.no_grad()
def held_out_accuracy(model, rng, count=200):
    right = 0
    for _ in range(count):
        waveform, words, _, _ = utterance(rng)
        right += greedy(model, torch.tensor(features(waveform))) == list(words) + [EOS]
    return right / count


def write_wav(path, waveform):
    samples = np.clip(np.round(waveform * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.tobytes())


def write_sample(model, rng):
    waveform, words, spans, seconds = utterance(rng)
    speech = waveform[: int(round(seconds * RATE))]
    write_wav(DATA / "speech.wav", speech)
    audio = torch.tensor(features(waveform))
    with torch.no_grad():
        model(audio[None], torch.tensor([[BOS] + list(words)]))
    cross = model.cross_attention().numpy().astype(np.float16)
    np.save(DATA / "speech_cross.npy", cross)
    names = [WORDS[w] for w in words] + ["<eos>"]
    (DATA / "speech_tokens.txt").write_text("\n".join(names) + "\n")
    truth = [{"token": WORDS[w], "start": round(a, 4), "end": round(b, 4)}
             for w, (a, b) in zip(words, spans)]
    truth.append({"token": "<eos>", "start": round(spans[-1][1], 4), "end": round(seconds, 4)})
    (DATA / "speech_truth.json").write_text(json.dumps(truth, indent=1) + "\n")
    print(f"sample: {len(words)} words, {seconds:.4f} s of audio, cross-attention {cross.shape}; "
          f"greedy transcript {'right' if greedy(model, audio) == list(words) + [EOS] else 'WRONG'}")


def main():
    torch.manual_seed(17)
    torch.set_num_threads(1)
    model = Transcriber()
    train(model, np.random.default_rng(17))
    model.eval()
    print(f"held-out greedy transcripts right: {held_out_accuracy(model, np.random.default_rng(1)):.3f}")
    write_sample(model, np.random.default_rng(2026))


if __name__ == "__main__":
    main()
