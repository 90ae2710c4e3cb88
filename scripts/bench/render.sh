#!/usr/bin/env bash
# Times attnviz against matplotlib (Debian's python3-matplotlib, Agg) on the same dumps in the same
# run, and prints the ratios, for the three cases of issue 3 §9:
#   heads   144 PNGs, one per 512 x 512 head of a 12 x 12 dump, each with title and colorbar
#   grid    one grid PNG of a 12 x 12 dump of 128 x 128 heads
#   labels  one 128 x 128 heatmap with 128 token labels per axis and a colorbar
# docs/performance.md ("Rendering") records a run.
#
#   scripts/bench/render.sh [ATTNVIZ]    (default build/render/attnviz; a Release build:
#   cmake -S . -B build/render -DCMAKE_BUILD_TYPE=Release && cmake --build build/render --target attnviz)
#
# Environment: REPEATS (runs of each attnviz command, default 5), QUICK_REPEATS (runs of the grid
# and the labels, which take attnviz 20-40 ms, default 11: five fell inside one slow spell of this
# machine's host), MPL_REPEATS (runs of each matplotlib script, default 3), JOBS (attnviz -j, default 0 = every core), FRESH=1 also times
# matplotlib making a new figure per head (the usual way; the default script reuses one figure,
# which is faster). Both sides are timed as whole processes (start-up, loading, drawing, encoding,
# writing) by scripts/bench/render_peer.py; CPU time (user + system, all threads) is shown beside
# wall time because other work on the machine stretches wall time.
set -euo pipefail
cd "$(dirname "$0")/../.."

attnviz=$(realpath "${1:-build/render/attnviz}")
python=/usr/bin/python3
peer=scripts/bench/render_peer.py
repeats=${REPEATS:-5}
quick_repeats=${QUICK_REPEATS:-11}
mpl_repeats=${MPL_REPEATS:-3}
jobs=${JOBS:-0}
[ -x "$attnviz" ] || { echo "render.sh: no attnviz at $attnviz (see the comment at the top)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/a_heads" "$work/m_heads"

echo "attnviz render benchmark: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')),"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg), attnviz -j $jobs, matplotlib $($python -c 'import matplotlib; print(matplotlib.__version__)')"
$python "$peer" make "$work"

# time NAME REPEATS CMD...: whole-process medians into $work/NAME.json; with WARM=FILE, FILE is
# read through before every run, so that each side finds its dump in the page cache.
time_it() {
  local name=$1 count=$2
  shift 2
  $python "$peer" time ${WARM:+--warm "$WARM"} "$count" "$work/$name.json" -- "$@"
}
field() { $python -c "import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

WARM=$work/heads512.npy time_it a_heads "$repeats" "$attnviz" heatmap "$work/heads512.npy" --layer all --head all \
  -j "$jobs" -o "$work/a_heads/L{layer}_H{head}.png"
WARM=$work/grid128.npy time_it a_grid "$quick_repeats" "$attnviz" grid "$work/grid128.npy" -j "$jobs" -o "$work/a_grid.png"
WARM=$work/labels128.npy time_it a_labels "$quick_repeats" "$attnviz" heatmap "$work/labels128.npy" --font-size 6 --cell 12 \
  -o "$work/a_labels.png"

WARM=$work/heads512.npy time_it m_heads "$mpl_repeats" $python "$peer" draw heads "$work" "$work/m_heads" \
  --like "$work/a_heads/L0_H0.png"
if [ "${FRESH:-0}" = 1 ]; then
  WARM=$work/heads512.npy time_it m_heads_fresh "$mpl_repeats" $python "$peer" draw heads "$work" "$work/m_heads" \
    --like "$work/a_heads/L0_H0.png" --fresh-figures
fi
WARM=$work/grid128.npy time_it m_grid "$mpl_repeats" $python "$peer" draw grid "$work" "$work/m_grid.png" \
  --like "$work/a_grid.png"
WARM=$work/labels128.npy time_it m_labels "$mpl_repeats" $python "$peer" draw labels "$work" "$work/m_labels.png" \
  --like "$work/a_labels.png"
$python "$peer" time 1 "$work/startup.json" -- $python -c "import matplotlib.pyplot"
time_it a_version "$repeats" "$attnviz" --version

ratio() { $python -c "import sys; print(f'{float(sys.argv[1]) / max(float(sys.argv[2]), 1e-9):.1f}')" "$1" "$2"; }
size() { $python -c "import struct, sys; h = open(sys.argv[1], 'rb').read(24); print('%dx%d' % struct.unpack('>II', h[16:24]))" "$1"; }
row() {
  local label=$1 case=$2 png=$3 target=$4
  local aw ac mw mc
  aw=$(field "$work/a_$case.json" wall) ac=$(field "$work/a_$case.json" cpu)
  mw=$(field "$work/m_$case.json" wall) mc=$(field "$work/m_$case.json" cpu)
  printf '%-34s %9s px  %8.3f %8.3f  %8.3f %8.3f  %6sx %6sx  %s\n' "$label" "$(size "$png")" \
    "$aw" "$ac" "$mw" "$mc" "$(ratio "$mw" "$aw")" "$(ratio "$mc" "$ac")" "$target"
}
echo
echo "medians of $repeats attnviz (grid and labels: $quick_repeats) / $mpl_repeats matplotlib whole-process runs, seconds"
printf '%-34s %12s  %17s  %17s  %15s\n' "" "figure" "attnviz wall cpu" "matplotlib wall cpu" \
  "ratio wall cpu"
row "144 PNGs of 512x512 heads" heads "$work/a_heads/L0_H0.png" ">= 40x"
if [ "${FRESH:-0}" = 1 ]; then
  cp "$work/a_heads.json" "$work/a_heads_fresh.json"
  row "  (matplotlib: a figure per head)" heads_fresh "$work/a_heads/L0_H0.png" ""
fi
row "grid of 12x12 heads of 128x128" grid "$work/a_grid.png" ">= 50x"
row "128x128 heatmap, 128 labels/axis" labels "$work/a_labels.png" ">= 20x"
echo
printf 'start-up alone: attnviz --version %.3f s wall %.3f s CPU; python3 -c "import matplotlib.pyplot" %.3f s wall %.3f s CPU\n' \
  "$(field "$work/a_version.json" wall)" "$(field "$work/a_version.json" cpu)" \
  "$(field "$work/startup.json" wall)" "$(field "$work/startup.json" cpu)"
printf 'output bytes: attnviz heads %s, grid %s, labels %s; matplotlib heads %s, grid %s, labels %s\n' \
  "$(du -sb "$work/a_heads" | cut -f1)" "$(stat -c %s "$work/a_grid.png")" \
  "$(stat -c %s "$work/a_labels.png")" "$(du -sb "$work/m_heads" | cut -f1)" \
  "$(stat -c %s "$work/m_grid.png")" "$(stat -c %s "$work/m_labels.png")"
if [ -n "${KEEP:-}" ]; then cp "$work"/*.png "$KEEP"/ && cp "$work/a_heads/L0_H0.png" "$KEEP/a_head.png" \
  && cp "$work/m_heads/L0_H0.png" "$KEEP/m_head.png"; fi
