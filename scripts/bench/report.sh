#!/usr/bin/env bash
# The report of a 12 x 12 x 512 x 512 float32 dump (issue 13 §1): times `attnviz report` as a whole
# process, and a second (older) attnviz on the same input in the same run when one is given, runs
# interleaved; then prints the split by section from one `report --timings` run of each binary
# that has the flag. docs/performance.md ("The report") records a run.
#
#   scripts/bench/report.sh [ATTNVIZ [BASELINE]]   (default build/release/attnviz; Release builds:
#   cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release && cmake --build build/release --target attnviz)
#
# Environment: REPEATS (runs of each binary, default 5), INPUTS (where the dump is kept between
# runs, default build/bench/inputs). Each run finds the dump in the page cache (read through first,
# untimed); wall and CPU time (user + system, all threads) are medians, CPU because other work on
# the machine stretches wall time.
set -euo pipefail
cd "$(dirname "$0")/../.."

attnviz=$(realpath "${1:-build/release/attnviz}")
baseline=${2:+$(realpath "$2")}
python=/usr/bin/python3
peers=scripts/bench/peers.py
repeats=${REPEATS:-5}
inputs=${INPUTS:-build/bench/inputs}
[ -x "$attnviz" ] || { echo "report.sh: no attnviz at $attnviz (see the comment at the top)" >&2; exit 2; }
mkdir -p "$inputs"
dump=$inputs/report_12x12x512.npy
[ -f "$dump" ] || $python $peers make-softmax "$dump" --layers 12 --heads 12 --tokens 512
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "attnviz report benchmark: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input: $dump (12 x 12 heads of 512 x 512 float32, softmax of random logits)"
for ((run = 0; run < repeats; ++run)); do
  $python $peers time --repeats 1 --label new --warm "$dump" -- \
    "$attnviz" report "$dump" -o "$work/new.pdf" >>"$work/new.jsonl"
  if [ -n "$baseline" ]; then
    $python $peers time --repeats 1 --label old --warm "$dump" -- \
      "$baseline" report "$dump" -o "$work/old.pdf" >>"$work/old.jsonl"
  fi
done
$python - "$work" <<'PY'
import json, pathlib, statistics, sys
work = pathlib.Path(sys.argv[1])
medians = {}
for label in ("old", "new"):
    path = work / f"{label}.jsonl"
    if not path.exists():
        continue
    runs = [json.loads(line) for line in path.read_text().splitlines()]
    wall = statistics.median(r["wall"] for r in runs)
    cpu = statistics.median(r["cpu"] for r in runs)
    medians[label] = (wall, cpu)
    print(f"{label}: wall {wall:.2f} s, cpu {cpu:.2f} s (median of {len(runs)}), "
          f"peak anonymous memory {max(r['anon_mb'] for r in runs):.0f} MB")
if len(medians) == 2:
    (ow, oc), (nw, nc) = medians["old"], medians["new"]
    print(f"speed-up: wall {ow / nw:.2f}x, cpu {oc / nc:.2f}x")
PY
echo "split by section (one run, seconds on the clock (of processor)):"
"$attnviz" report "$dump" -o "$work/new.pdf" --timings 2>&1 | sed "s/^.*processor): //" | tr "," "\n" | sed "s/^ */  /"
