#!/usr/bin/python3
"""`attnviz align` end to end: its frames equal scripts/reference/word_timing.py's on a dump
(whole, cropped, renormalised), its subtitles hold the words its JSON times, and on the committed
sample (data/speech_*) its timing error against the true timings stays under the bound
data/README.md justifies.

    align_test.py ATTNVIZ REPO OUT_DIR
"""

import csv
import io
import json
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np

ATTNVIZ, REPO, OUT = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
sys.path.insert(0, str(REPO / "scripts" / "reference"))
import word_timing  # noqa: E402

OUT.mkdir(parents=True, exist_ok=True)
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)


def run(*args):
    result = subprocess.run([ATTNVIZ, "align", *map(str, args)], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"attnviz align {' '.join(map(str, args))}: exit {result.returncode}: {result.stderr}")
    return result.stdout


def golden_heads(name):
    cases = json.loads((REPO / "tests/fixtures/analysis/word_timing/golden.json").read_text())
    case = next(c for c in cases["cases"] if c["name"] == name)
    return np.array(case["heads"], dtype=np.float32)


def reference_frames(heads, width):
    _, starts, ends = word_timing.align(list(heads), width)
    return starts.tolist(), ends.tolist()


def cli_frames(out):
    tokens = json.loads(out)["tokens"]
    return [t["start_frame"] for t in tokens], [t["end_frame"] for t in tokens]


# 1. The reference's frames through the cli: all frames, a crop, a crop renormalised.
heads = golden_heads("diagonal 3 heads 6x50")
dump = OUT / "diagonal.npy"
np.save(dump, heads[None])  # (layer, head, tokens, frames)
all_heads = "0:0,0:1,0:2"
check(cli_frames(run(dump, "--heads", all_heads, "--json")) == reference_frames(heads, 7),
      "all frames: attnviz differs from the reference")
check(cli_frames(run(dump, "--heads", "0:1", "--median-width", "3", "--frames", "37", "--json"))
      == reference_frames(heads[1:2, :, :37], 3), "--frames 37: attnviz differs from the reference")
cropped = heads[:, :, :40].astype(np.float64)
cropped = cropped / cropped.sum(axis=2, keepdims=True)
check(cli_frames(run(dump, "--heads", all_heads, "--audio-seconds", "0.81", "--renormalize",
                     "--json")) == reference_frames(cropped, 7),
      "--audio-seconds 0.81 --renormalize: attnviz differs from the reference")

# 2. Subtitles: Whisper-style pieces grouped into words, cue times from the JSON's tokens.
tokens = ["<|notimestamps|>", "ĠHel", "lo", "Ġworld", "!", "<|endoftext|>"]
tokens_file = OUT / "diagonal.tokens.txt"
tokens_file.write_text("\n".join(tokens) + "\n")
srt, vtt = OUT / "diagonal.srt", OUT / "diagonal.vtt"
timed = json.loads(run(dump, "--tokens", tokens_file, "--heads", all_heads, "--json"))["tokens"]
run(dump, "--tokens", tokens_file, "--heads", all_heads, "--srt", srt, "--vtt", vtt)
words = [("Hello", timed[1]["start"], timed[2]["end"]), ("world!", timed[3]["start"], timed[4]["end"])]
check(all(end > start for _, start, end in words), f"a test word has no time: {words}")


def stamp(seconds, separator):
    ms = round(seconds * 1000)
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}{separator}{ms % 1000:03d}"


want_srt = "".join(f"{k + 1}\n{stamp(a, ',')} --> {stamp(b, ',')}\n{w}\n\n" for k, (w, a, b) in enumerate(words))
want_vtt = "WEBVTT\n\n" + "".join(f"{stamp(a, '.')} --> {stamp(b, '.')}\n{w}\n\n" for w, a, b in words)
check(srt.read_text() == want_srt, f"SRT:\n{srt.read_text()}\nexpected:\n{want_srt}")
check(vtt.read_text() == want_vtt, f"WebVTT:\n{vtt.read_text()}\nexpected:\n{want_vtt}")

# 3. The sample: attnviz's timing of data/speech_cross.npy against data/speech_truth.json.
DATA = REPO / "data"
sample_heads = sys.argv[4] if len(sys.argv) > 4 else None
if sample_heads:
    with wave.open(str(DATA / "speech.wav")) as audio:
        seconds = audio.getnframes() / audio.getframerate()
    out = run(DATA / "speech_cross.npy", "--tokens", DATA / "speech_tokens.txt", "--heads",
              sample_heads, "--audio-seconds", f"{seconds:.4f}", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    truth = json.loads((DATA / "speech_truth.json").read_text())
    check([r["token"] for r in rows] == [t["token"] for t in truth], "sample tokens differ")
    start = [abs(float(r["start"]) - t["start"]) * 1000 for r, t in zip(rows, truth)]
    end = [abs(float(r["end"]) - t["end"]) * 1000 for r, t in zip(rows, truth)]
    start_bound, end_bound, max_bound = map(float, sys.argv[5:8])
    print(f"sample: start error mean {np.mean(start):.1f} ms max {max(start):.1f} ms; "
          f"end error mean {np.mean(end):.1f} ms max {max(end):.1f} ms")
    check(np.mean(start) < start_bound, f"sample start error mean above {start_bound} ms: {start}")
    check(np.mean(end) < end_bound, f"sample end error mean above {end_bound} ms: {end}")
    check(max(start) < max_bound and max(end) < max_bound,
          f"sample max error above {max_bound} ms: starts {start}, ends {end}")

for failure in failures:
    print("FAIL:", failure)
sys.exit(1 if failures else 0)
