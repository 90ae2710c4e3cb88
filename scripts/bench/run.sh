#!/usr/bin/env bash
# The performance benchmark of issue 6: builds attnviz (Release, build/bench), makes its own inputs,
# runs every workload with attnviz and with its numpy / scipy / matplotlib peer on the same input in
# the same run, and prints a table of medians and ratios, each workload also as a fraction of the
# machine limit that bounds it (measured first by scripts/bench/limits.cc). docs/performance.md
# keeps the latest table.
#
#   scripts/bench/run.sh
#
# Environment:
#   REPEATS=3         runs of every timed process (median reported)
#   QUICK_REPEATS=11  runs of the JS workload, attnviz's and numpy's: attnviz takes 40 ms, and
#                     three runs of it fall inside one slow spell of this machine's host
#   SKIP_HUGE=1       skip the ~30 GB float16 dump (written, read once by cat and once by stats,
#                     deleted); it needs HUGE_GB + 2 GB free on the inputs' file system
#   HUGE_GB=30        its size
#   SKIP_LONG=1       skip the 16,384^2 heatmap and the 4,096-token arrows / highlight
#   SKIP_FLOW=1, SKIP_RENDER=1   skip scripts/bench/flow.sh / render.sh
#   INPUTS=DIR        where inputs are kept between runs (default build/bench/inputs)
#   ATTNVIZ=PATH      time this (Release) binary instead of building build/bench
#   ISAS='avx2 scalar' the instruction sets to time attnviz on (default: every one this CPU runs)
# Every process is timed whole (start, load, compute, output to /dev/null or a file) by
# peers.py time, which also samples the peak anonymous memory (RssAnon) of attnviz.
set -euo pipefail
cd "$(dirname "$0")/../.."

python=/usr/bin/python3
peers=scripts/bench/peers.py
repeats=${REPEATS:-3}
quick_repeats=${QUICK_REPEATS:-11}
build=build/bench
inputs=${INPUTS:-$build/inputs}
results=$build/results.jsonl
mkdir -p "$inputs"
: >"$results"

say() { echo "== $*" >&2; }

bash scripts/install-deps.sh bench  # the compiler and libraries, and the peers

if [ -n "${ATTNVIZ:-}" ]; then
  attnviz=$(realpath "$ATTNVIZ")
else
  say "building Release attnviz in $build"
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
  nice cmake --build "$build" -j"$(nproc)" --target attnviz >/dev/null
  attnviz=$(realpath "$build/attnviz")
fi

say "building and running scripts/bench/limits.cc"
g++ -O2 -std=c++20 scripts/bench/limits.cc -o "$build/limits" \
  $(pkg-config --cflags --libs openblas libpng) -pthread
"$build/limits" >"$build/limits.json"
cat "$build/limits.json" >&2

# make NAME ARGS...: an input made once and kept (delete $inputs to remake).
make_input() {
  local out=$inputs/$1
  shift
  [ -f "$out" ] || { say "making $out"; $python $peers make-softmax "$out" "$@"; }
}

# timed LABEL CMD...: one result line (median of $repeats whole-process runs). With WARM=FILE,
# FILE is read through (untimed) before each run: the kernel here evicts cold file pages within
# seconds, so every process, attnviz or peer, starts with its input in the page cache.
timed() {
  local label=$1
  shift
  say "timing $label"
  $python $peers time --repeats "$repeats" --label "$label" ${WARM:+--warm "$WARM"} -- "$@" |
    tee -a "$results" >&2
}

make_input stats.npy --layers 24 --heads 16 --tokens 1024
make_input js.npy --layers 12 --heads 12 --tokens 128

# Every instruction set this CPU runs, best first, as attnviz --version names them: each attnviz
# workload runs once per set (ATTNVIZ_ISA), in the same run as its peer, labelled NAME@ISA.
read -r -a isas <<<"$("$attnviz" --version | sed -n 's/.*(this CPU: \(.*\);.*/\1/p')"
[ "${#isas[@]}" -gt 0 ] || { echo "run.sh: $attnviz --version names no instruction sets" >&2; exit 2; }
say "instruction sets: ${isas[*]} (ISAS='avx2 scalar' picks some)"
read -r -a isas <<<"${ISAS:-${isas[*]}}"

# timed_isas LABEL CMD...: `timed LABEL@ISA` once per instruction set.
timed_isas() {
  local label=$1 isa
  shift
  for isa in "${isas[@]}"; do ATTNVIZ_ISA=$isa timed "$label@$isa" "$@"; done
}

# Reading the file: the page cache holds it after the first run, like the peers see it.
WARM=$inputs/stats.npy
timed cat-stats sh -c "cat '$inputs/stats.npy' > /dev/null"
timed_isas attnviz-stats "$attnviz" stats "$inputs/stats.npy" --json
timed numpy-stats $python $peers stats "$inputs/stats.npy"
timed_isas attnviz-rollout "$attnviz" rollout "$inputs/stats.npy" --json
timed numpy-rollout $python $peers rollout "$inputs/stats.npy"
timed_isas attnviz-rollout-row0 "$attnviz" rollout "$inputs/stats.npy" --rows 0 --json
timed numpy-rollout-row0 $python $peers rollout "$inputs/stats.npy" --row0
WARM=$inputs/js.npy
repeats=$quick_repeats timed_isas attnviz-js "$attnviz" cluster "$inputs/js.npy" --json
repeats=$quick_repeats timed numpy-js $python $peers js "$inputs/js.npy"
unset WARM

if [ "${SKIP_LONG:-0}" != 1 ]; then
  make_input long.npy --layers 1 --heads 1 --tokens 16384
  make_input tokens4096.npy --layers 1 --heads 1 --tokens 4096
  $python -c "print('\n'.join(f'tok{i}' for i in range(4096)))" >"$inputs/tokens4096.txt"
  WARM=$inputs/long.npy timed_isas attnviz-heatmap-16384 "$attnviz" heatmap "$inputs/long.npy" \
    -o "$build/long.png"
  WARM=$inputs/tokens4096.npy timed_isas attnviz-arrows-4096 "$attnviz" arrows "$inputs/tokens4096.npy" \
    --tokens "$inputs/tokens4096.txt" --top-k 1 -o "$build/arrows4096.png"
  WARM=$inputs/tokens4096.npy timed_isas attnviz-highlight-4096 "$attnviz" highlight "$inputs/tokens4096.npy" \
    --tokens "$inputs/tokens4096.txt" --query 4095 -o "$build/highlight4096.png"
fi

if [ "${SKIP_HUGE:-0}" != 1 ]; then
  huge_gb=${HUGE_GB:-30}
  free_gb=$(df -BG --output=avail "$inputs" | tail -1 | tr -dc 0-9)
  if [ "$free_gb" -lt $((huge_gb + 2)) ]; then
    say "skipping the $huge_gb GB dump: only $free_gb GB free on $inputs"
  else
    # 32 heads of 4096^2 float16 per layer (1 GiB), as many layers as make HUGE_GB.
    layers=$(((huge_gb * 1000 * 1000 * 1000 + (1 << 30) - 1) / (1 << 30)))
    trap 'rm -f "$inputs/huge.npy" "$inputs/huge.npy.part"' EXIT
    say "writing $inputs/huge.npy: $layers x 32 x 4096^2 float16"
    $python $peers make-softmax "$inputs/huge.npy" --layers "$layers" --heads 32 --tokens 4096 \
      --dtype float16 --distinct 16
    sync
    # Larger than RAM, so neither run finds it in the page cache: one run each.
    repeats=1 timed cat-huge sh -c "cat '$inputs/huge.npy' > /dev/null"
    repeats=1 timed "attnviz-stats-huge@${isas[0]}" "$attnviz" stats "$inputs/huge.npy" --json
    rm -f "$inputs/huge.npy"
  fi
fi

ISAS="${isas[*]}" $python scripts/bench/table.py "$build/limits.json" "$results" "$inputs"

if [ "${SKIP_FLOW:-0}" != 1 ]; then
  echo
  scripts/bench/flow.sh "$attnviz"
fi
# The rendering rows (issue 3 §9), written by the render engineer.
if [ "${SKIP_RENDER:-0}" != 1 ] && [ -x scripts/bench/render.sh ]; then
  echo
  scripts/bench/render.sh "$attnviz"
fi
