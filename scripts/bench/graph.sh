#!/usr/bin/env bash
# Times `attnviz graph` on a random graph of 10,000 nodes and 100,000 edges (plus self-loops,
# 2 heads, alpha a softmax over each node's incoming edges), the whole process: load, thinning
# to the top-3 incoming edges per node, Graphviz layout (sfdp, then neato for comparison on a
# tenth of the size), drawing and PNG encoding; and the statistics. docs/performance.md
# ("Graph attention") records a run.
#
#   scripts/bench/graph.sh [ATTNVIZ]     (default build/release/attnviz)
#
# Environment: REPEATS (runs per measurement, the median is printed; default 3).
set -euo pipefail
cd "$(dirname "$0")/../.."
attnviz=$(realpath "${1:-build/release/attnviz}")
repeats=${REPEATS:-3}
[ -x "$attnviz" ] || { echo "graph.sh: no attnviz at $attnviz" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A random graph: each of N nodes receives E/N edges from random other nodes, then a self-loop.
/usr/bin/python3 - "$work" <<'PY'
import sys
import numpy as np
rng = np.random.default_rng(0)
for name, nodes, edges in (("big", 10_000, 100_000), ("small", 1_000, 10_000)):
    target = np.repeat(np.arange(nodes), edges // nodes)
    source = (target + rng.integers(1, nodes, size=target.size)) % nodes
    source = np.concatenate([source, np.arange(nodes)])
    target = np.concatenate([target, np.arange(nodes)])
    scores = rng.normal(size=(source.size, 2)) * 2
    alpha = np.exp(scores)
    total = np.zeros((nodes, 2))
    np.add.at(total, target, alpha)
    alpha = (alpha / total[target]).astype(np.float32)
    np.savez(f"{sys.argv[1]}/{name}.npz", edge_index=np.stack([source, target]).astype(np.int64),
             alpha=alpha)
PY

# "WALL CPU": median wall and CPU (user + system) seconds of the command "$@" over REPEATS runs;
# CPU time is shown because other work on the machine stretches wall time.
median() {
  local walls=() cpus=()
  for _ in $(seq "$repeats"); do
    /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" >/dev/null
    read -r wall user system <"$work/time"
    walls+=("$wall")
    cpus+=("$(echo "$user + $system" | bc)")
  done
  local middle=$(((repeats + 1) / 2))
  echo "$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "${middle}p")" \
       "$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "${middle}p")"
}

echo "big: 10,000 nodes, 110,000 edges (100,000 + self-loops); small: 1,000 nodes, 11,000 edges; 2 heads; median of $repeats runs"
printf '%-62s %8s %8s\n' "command" "wall s" "CPU s"
for args in "big.npz -o big.png" "big.npz --top-k 1 -o big1.png" "big.npz -o big.pdf" \
            "big.npz --stats --json" "small.npz --layout neato -o small_neato.png" \
            "small.npz -o small_sfdp.png"; do
  # shellcheck disable=SC2086
  read -r wall cpu < <(cd "$work" && median "$attnviz" graph $args)
  printf '%-62s %8.2f %8.2f\n' "attnviz graph $args" "$wall" "$cpu"
done
# The same layout twice: byte-identical at this size too.
(cd "$work" && "$attnviz" graph big.npz -o again.png && cmp big.png again.png && echo "big.png: identical on re-run")
