#!/usr/bin/env bash
# Renders one example of every figure attnviz draws into docs/gallery/ (PNG), from the sample
# dumps in data/, the small analysis fixtures in tests/fixtures/ (gradients, checkpoints, a ViT
# dump and its picture), and the real model dumps in ../shared/real when they are present
# (skipped otherwise). docs/gallery/README.md lists the same commands beside the images.
#
#   scripts/gallery.sh [ATTNVIZ]     (default build/render/attnviz, else build/release/attnviz)
#
# Output is byte-identical on every run (SOURCE_DATE_EPOCH does not matter for PNG).
set -euo pipefail
cd "$(dirname "$0")/.."

attnviz=${1:-}
if [ -z "$attnviz" ]; then
  for candidate in build/render/attnviz build/release/attnviz build/attnviz; do
    [ -x "$candidate" ] && { attnviz=$candidate; break; }
  done
fi
[ -x "${attnviz:-}" ] || { echo "gallery.sh: no attnviz binary; build one or pass its path" >&2; exit 2; }
attnviz=$(realpath "$attnviz")

out=docs/gallery
real=../shared/real
fix=tests/fixtures
mkdir -p "$out"

# render NAME ARGS...: one figure, docs/gallery/NAME.png; prints the command as README shows it.
render() {
  local name=$1
  shift
  "$attnviz" "$@" -o "$out/$name.png"
  echo "$name: attnviz $* -o $name.png"
}

# heatmap
render heatmap_annotated heatmap data/induction.npy --layer 1 --head 2 --queries 20:41 --keys 0:21 \
  --title "induction head (layer 1, head 2), second copy against the first"
render heatmap_causal heatmap data/induction.npy --layer 1 --head 2
render heatmap_log heatmap data/induction.npy --layer 0 --head 0 --norm log --cmap magma
render heatmap_cross heatmap data/seq2seq_cross.json --layer 1 --fuse mean --cmap Blues

# grid (model view)
render grid_labels grid data/induction.npy --labels --scale head
render grid_local grid "$fix/analysis/classify/local.npy" --labels --scale head \
  --title "planted heads: decay tau 4, window w 3, blocks, self, decay tau 2"

# arrows
render arrows arrows data/reverse.json --layer 0 --head 3 --top-k 2
render arrows_seq2seq arrows data/seq2seq_cross.json --layer 0 --head 2 --horizontal
render arrows_heads arrows data/induction.npy --layer 1 --head 0:3 --top-k 1

# highlight, overlay
render highlight highlight data/induction.npy --layer 1 --head 2 --query 30
render overlay overlay "$fix/overlay/vit.npz" --image "$fix/overlay/picture.png" --grid 14x14 \
  --drop-cls --head 0 --panel
# vision-language: text tokens over image patches, and a region over the text
render vlm_phrase vlm data/vlm_attn.npy --tokens data/vlm_tokens.txt --image data/vlm_scene.png \
  --grid 8x8 --layer 1 --head 2 --phrase "red square"
render vlm_region vlm data/vlm_attn.npy --tokens data/vlm_tokens.txt --image data/vlm_scene.png \
  --grid 8x8 --layer 1 --fuse mean --region 0,2,2,4
render video_strip video data/video_attn.npz --frames 8 --grid 4x4 --clip data/video_frames --head 1

# speech
render speech speech data/speech_cross.npy --audio data/speech.wav --tokens data/speech_tokens.txt \
  --layer 1 --fuse mean --alignment-heads 1:0,1:1,1:2,1:3 --norm power:0.5

# colormaps
render colormaps colormaps

# analyses
render stats_entropy stats data/induction.npy --plot entropy
render rollout rollout data/induction.npy
render flow flow data/copy_offset.npz
render cluster_dendrogram cluster data/induction.npy --map "$out/cluster_map.png"
render attribute attribute "$fix/analysis/attribute/causal.npy" --grad "$fix/analysis/attribute/causal.grad.npy" \
  --show rollout
render diff diff "$fix/analysis/diff/ckpt2.npy" "$fix/analysis/diff/ckpt0.npy" --layer 1 --head 0
render diff_series diff --series "$fix/analysis/diff/ckpt0.npy" "$fix/analysis/diff/ckpt1.npy" \
  "$fix/analysis/diff/ckpt2.npy" --stat prev

# graph attention (docs/graph.md)
render graph graph data/gat.npz --node 4 --hops 2 --names data/gat_names.txt

# real model dumps, when ../shared/real is there
if [ -d "$real" ]; then
  render real_finbert heatmap "$real/finbert_l11h0.json" --cmap Blues
  render real_llama_crop heatmap "$real/llama31_l31h0_crop.json" --clean-tokens
  render real_roberta heatmap "$real/roberta_coqa_512.npy"
  render real_finbert_arrows arrows "$real/finbert_l11h0.json" --top-k 3
  render real_llama_gqa_grid grid "$real/llama32_1b_l0.json" --kv-heads 8 --scale head --labels
  render real_llama_gqa_dendrogram cluster "$real/llama32_1b_l0.json" --kv-heads 8 \
    --map "$out/real_llama_gqa_map.png"
  render positional_dodrio positional "$real/dodrio-twitter/tw_*.npy"
  render sinks_dodrio sinks "$real/dodrio-twitter/tw_*.npy"
  render aggregate_first_token stats "$real/dodrio-twitter/*.npy" --aggregate --plot first_token
  render aggregate_special_std stats "$real/dodrio-twitter/*.npy" --aggregate --plot special --summary std
  render aggregate_labels classify "$real/dodrio-twitter/*.npy" --aggregate
else
  echo "gallery.sh: $real absent, real-model figures skipped" >&2
fi

# Every figure type of one dump, for three dumps (docs/gallery/sets/NAME/): the sample induction
# model with its tokens, a synthetic 12 x 12 x 128^2 dump (scripts/bench/peers.py, fixed seed) and,
# when ../shared/real is there, a padded BERT input of dodrio-twitter with its [CLS] ... [PAD]
# tokens. One place to look at all of them after a change to the figures.
set_of_figures() {  # set_of_figures NAME DUMP [DUMP OPTIONS...]
  local name=$1 dump=$2
  shift 2
  local dir=$out/sets/$name
  mkdir -p "$dir"
  figure() {
    local figure_name=$1
    shift
    "$attnviz" "$@" -o "$dir/$figure_name.png"
    echo "sets/$name/$figure_name: attnviz $*"
  }
  figure heatmap heatmap "$dump" "$@" --layer 0 --head 0
  figure heatmap_mean heatmap "$dump" "$@" --layer all --fuse mean
  figure grid grid "$dump" "$@" --scale head
  figure arrows arrows "$dump" "$@" --layer 1 --head 0 --top-k 2
  figure highlight highlight "$dump" "$@" --layer 1 --head 0 --query 5
  figure stats_entropy stats "$dump" "$@" --plot entropy
  figure rollout rollout "$dump" "$@"
  figure cluster cluster "$dump" "$@" --map "$dir/cluster_map.png"
  figure positional positional "$dump" "$@"
  figure sinks sinks "$dump" "$@"
}
set_of_figures induction data/induction.npy
synthetic=build/gallery/synthetic128.npy
if [ ! -f "$synthetic" ]; then
  mkdir -p build/gallery
  /usr/bin/python3 scripts/bench/peers.py make-softmax "$synthetic" --layers 12 --heads 12 --tokens 128
fi
set_of_figures synthetic128 "$synthetic"
if [ -d "$real" ]; then
  set_of_figures dodrio_padded "$real/dodrio-twitter/tw_0008.npy"
fi

du -ch "$out"/*.png | tail -1
