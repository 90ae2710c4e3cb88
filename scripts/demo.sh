#!/usr/bin/env bash
# Builds attnviz (Release) and its man page (build/release/attnviz.1), and renders a heatmap of
# each bundled sample in data/ into out/, as PNG, SVG and PDF, and a figure of each other modality
# (speech, vision-language, graph, video). Installs missing Debian packages first (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "$(nproc)" --target attnviz manpage  # man build/release/attnviz.1
attnviz=build/release/attnviz
mkdir -p out

# sample, layer, head: the head of each sample that shows its pattern best (data/README.md).
samples=(
  "data/induction.npy 1 2"
  "data/copy_offset.npz 1 1"
  "data/reverse.json 0 3"
  "data/induction_layers.safetensors 0 0"
  "data/seq2seq_cross.json 0 2"
)
for entry in "${samples[@]}"; do
  read -r file layer head <<<"$entry"
  [ -f "$file" ] || continue
  stem=$(basename "${file%.*}")
  for ext in png svg pdf; do
    out="out/${stem}_L${layer}_H${head}.$ext"
    "$attnviz" heatmap "$file" --layer "$layer" --head "$head" -o "$out"
    echo "wrote $out"
  done
done

# Every head of the induction model captioned with its pattern, and the whole report.
"$attnviz" grid data/induction.npy --labels -o out/induction_grid.png && echo "wrote out/induction_grid.png"
"$attnviz" report data/induction.npy -o out/induction_report.pdf && echo "wrote out/induction_report.pdf"

# The other modalities' samples (data/README.md): Whisper-style cross-attention over its audio with
# the word-timing path and subtitles, text over image patches, GAT edges, a video clip's frames.
"$attnviz" speech data/speech_cross.npy --audio data/speech.wav --tokens data/speech_tokens.txt \
  --layer 1 --fuse mean --alignment-heads 1:0,1:1,1:2,1:3 -o out/speech.png && echo "wrote out/speech.png"
"$attnviz" align data/speech_cross.npy --tokens data/speech_tokens.txt --heads 1:2 --audio data/speech.wav \
  --vtt out/speech.vtt && echo "wrote out/speech.vtt"
"$attnviz" vlm data/vlm_attn.npy --tokens data/vlm_tokens.txt --image data/vlm_scene.png --grid 8x8 \
  --layer 1 --head 2 --phrase "red square" -o out/vlm.png && echo "wrote out/vlm.png"
"$attnviz" graph data/gat.npz --node 4 --hops 2 --names data/gat_names.txt -o out/graph.png &&
  echo "wrote out/graph.png"
"$attnviz" video data/video_attn.npz --frames 8 --grid 4x4 --clip data/video_frames --head 1 \
  -o out/video.png && echo "wrote out/video.png"
"$attnviz" video data/video_attn.npz --frames 8 --grid 4x4 --clip data/video_frames --head 1 \
  -o out/video.gif && echo "wrote out/video.gif"
