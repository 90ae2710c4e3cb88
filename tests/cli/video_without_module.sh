#!/usr/bin/env bash
# The program without its FFmpeg module (src/ffmpeg/module.h): every other command works, and
# `video` fails in one line naming the module and where it looked, exit 4, no output file.
#   video_without_module.sh ATTNVIZ DATA_DIR WORK_DIR
set -euo pipefail
attnviz=$1 data=$2 work=$3
rm -rf "$work" && mkdir -p "$work/bin"
cp "$attnviz" "$work/bin/attnviz"  # a folder with no attnviz_ffmpeg.so beside, above or in lib/
"$work/bin/attnviz" stats "$data/induction.npy" >/dev/null
set +e
"$work/bin/attnviz" video "$data/video_attn.npz" --frames 8 --grid 4x4 --clip "$data/video_frames" \
  -o "$work/clip.gif" 2>"$work/err"
code=$?
set -e
cat "$work/err"
[ "$code" = 4 ] || { echo "expected exit 4, found $code" >&2; exit 1; }
[ "$(wc -l <"$work/err")" = 1 ] || { echo "expected one line of error" >&2; exit 1; }
grep -q "attnviz_ffmpeg.so is not installed (looked for $work/bin/attnviz_ffmpeg.so" "$work/err"
[ ! -e "$work/clip.gif" ] || { echo "a partial clip.gif was written" >&2; exit 1; }
echo "ok"
