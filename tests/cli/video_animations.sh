#!/usr/bin/env bash
# `attnviz video` animations: GIF and MP4 written twice are byte-identical, carry their format's
# signature, and the MP4 reads back (FFmpeg decoding) as the clip of another figure.
# Usage: video_animations.sh ATTNVIZ OUT_DIR DATA_DIR
set -eu
attnviz=$1 out=$2 data=$3
args=("$data/video_attn.npz" --frames 8 --grid 4x4 --fuse mean --clip "$data/video_frames")
for ext in gif mp4; do
  "$attnviz" video "${args[@]}" -o "$out/anim.$ext"
  cp "$out/anim.$ext" "$out/anim.$ext.first"
  "$attnviz" video "${args[@]}" -o "$out/anim.$ext"
  cmp "$out/anim.$ext" "$out/anim.$ext.first" || { echo "anim.$ext differs between runs"; exit 1; }
done
[ "$(head -c 6 "$out/anim.gif")" = GIF89a ] || { echo "anim.gif: not a GIF89a"; exit 1; }
[ "$(head -c 8 "$out/anim.mp4" | tail -c 4)" = ftyp ] || { echo "anim.mp4: no ftyp box"; exit 1; }
# The animation's 8 frames read back as a clip of 8 (each sampled once: indices 0..7).
"$attnviz" video "${args[@]:0:7}" --clip "$out/anim.mp4" -o "$out/from_mp4.png"
"$attnviz" video "${args[@]:0:7}" --clip "$out/anim.gif" -o "$out/from_gif.png"
pngcheck -q "$out/from_mp4.png" "$out/from_gif.png"
# Cut short, either is bad input on one line (exit 3), never a crash, and leaves no figure.
for ext in gif mp4; do
  size=$(stat -c %s "$out/anim.$ext")
  head -c $((size / 2)) "$out/anim.$ext" >"$out/cut.$ext"
  rm -f "$out/from_cut.png"
  set +e
  "$attnviz" video "${args[@]:0:7}" --clip "$out/cut.$ext" -o "$out/from_cut.png" 2>"$out/cut.err"
  code=$?
  set -e
  lines=$(wc -l <"$out/cut.err")
  if [ "$code" != 3 ] || [ "$lines" != 1 ] || [ -e "$out/from_cut.png" ]; then
    echo "cut.$ext: expected exit 3 with one line and no figure, got exit $code:"; cat "$out/cut.err"; exit 1
  fi
  echo "cut.$ext: $(cat "$out/cut.err")"
done
echo "ok: GIF and MP4 byte-identical on re-run and readable as clips; cut files refused"
