#!/usr/bin/env bash
# Times `attnviz flow` on every row of L = 12, n = 30 and L = 12, n = 128 dumps (12 heads each),
# against scipy.sparse.csgraph.maximum_flow on the same graph (n = 30), and checks the values
# against networkx. Prints medians and ratios; docs/performance-flow.md records a run.
#
#   scripts/bench/flow.sh [ATTNVIZ]      (default build/release/attnviz; build it with
#   cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release && cmake --build build/release --target attnviz)
#
# Environment: REPEATS (attnviz runs per size, default 5), SCIPY_REPEATS (default 3),
# NX_PAIRS_30 / NX_PAIRS_128 (pairs checked against networkx, default 30 / 4), JOBS (-j, default
# every core). attnviz is timed as a whole process: start, load, fuse, every maximum flow, JSON
# out; CPU time (user + system, all threads) is shown beside wall time because other work on the
# machine stretches wall time.
set -euo pipefail
cd "$(dirname "$0")/../.."

attnviz=$(realpath "${1:-build/release/attnviz}")
python=/usr/bin/python3
repeats=${REPEATS:-5}
jobs=${JOBS:-0}
[ -x "$attnviz" ] || { echo "flow.sh: no attnviz at $attnviz (see the comment at the top)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Median wall and CPU seconds of `attnviz flow DUMP --raw --json`; the output stays in out.json.
time_attnviz() {
  $python scripts/bench/flow_peer.py time "$attnviz" "$1" "$work/out.json" \
    --repeats "$repeats" --jobs "$jobs"
}

field() { $python -c "import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

echo "attnviz flow benchmark: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), -j $jobs"

for n in 30 128; do
  $python scripts/bench/flow_peer.py make "$work/L12_n$n.npy" --layers 12 --heads 12 --tokens "$n"
done

read -r wall30 cpu30 < <(time_attnviz "$work/L12_n30.npy")
$python scripts/bench/flow_peer.py compare "$work/L12_n30.npy" "$work/out.json" \
  --scipy-repeats "${SCIPY_REPEATS:-3}" --nx-pairs "${NX_PAIRS_30:-30}" >"$work/peer30.json"
read -r wall128 cpu128 < <(time_attnviz "$work/L12_n128.npy")
$python scripts/bench/flow_peer.py compare "$work/L12_n128.npy" "$work/out.json" \
  --scipy-repeats 0 --nx-pairs "${NX_PAIRS_128:-4}" >"$work/peer128.json"

scipy_wall=$(field "$work/peer30.json" scipy_median_s)
scipy_cpu=$(field "$work/peer30.json" scipy_median_cpu_s)
nx30=$(field "$work/peer30.json" networkx_s_per_pair)
ratio() { $python -c "import sys; print(f'{float(sys.argv[1]) / max(float(sys.argv[2]), 1e-9):.1f}')" "$1" "$2"; }
echo "medians of $repeats attnviz runs (the whole process: start, load, fuse, all maximum flows,"
echo "JSON out) and of ${SCIPY_REPEATS:-3} scipy loops (maximum_flow calls only); wall / CPU seconds"
echo
echo "L=12 n=30, all 900 pairs"
printf '  attnviz flow                 %8.4f s wall  %8.4f s CPU\n' "$wall30" "$cpu30"
printf '  scipy maximum_flow           %8.4f s wall  %8.4f s CPU\n' "$scipy_wall" "$scipy_cpu"
printf '  attnviz faster by            %8sx wall  %8sx CPU   (target >= 10x)\n' \
  "$(ratio "$scipy_wall" "$wall30")" "$(ratio "$scipy_cpu" "$cpu30")"
printf '  networkx (from %s pairs)     %8.1f s wall, %sx attnviz\n' \
  "$(field "$work/peer30.json" networkx_pairs_checked)" "$($python -c "print($nx30 * 900)")" \
  "$(ratio "$($python -c "print($nx30 * 900)")" "$wall30")"
echo "  max |attnviz - networkx| on the sampled pairs: $(field "$work/peer30.json" networkx_max_abs_diff)"
echo "  max |attnviz - scipy|: $(field "$work/peer30.json" scipy_max_abs_diff)" \
  "(scipy's integer capacities allow up to $(field "$work/peer30.json" scipy_diff_bound))"
echo
echo "L=12 n=128, all 16384 pairs"
printf '  attnviz flow                 %8.4f s wall  %8.4f s CPU   (target < 10 s)\n' "$wall128" "$cpu128"
echo "  max |attnviz - networkx| on $(field "$work/peer128.json" networkx_pairs_checked) sampled pairs:" \
  "$(field "$work/peer128.json" networkx_max_abs_diff)"
