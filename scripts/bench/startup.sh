#!/usr/bin/env bash
# Start-up: the CPU and wall time of `attnviz --version` and of `attnviz info` on a small dump,
# the floor under every command (the dynamic loader, the shared libraries' initialisers, the
# command line), for attnviz and, when given, an older build in the same run, runs interleaved.
# docs/performance.md ("Start-up") records a run.
#
#   scripts/bench/startup.sh [ATTNVIZ [BASELINE]]   (default build/release/attnviz)
#
# Environment: RUNS (processes per command and binary, default 30).
set -euo pipefail
cd "$(dirname "$0")/../.."

attnviz=$(realpath "${1:-build/release/attnviz}")
baseline=${2:+$(realpath "$2")}
runs=${RUNS:-30}
[ -x "$attnviz" ] || { echo "startup.sh: no attnviz at $attnviz" >&2; exit 2; }

echo "start-up: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $runs runs each"
/usr/bin/python3 - "$runs" "$attnviz" ${baseline:+"$baseline"} <<'PY'
import os, resource, statistics, subprocess, sys, time

runs, binaries = int(sys.argv[1]), sys.argv[2:]
commands = {"--version": ["--version"], "info": ["info", "data/induction.npy"]}


def one(binary, args):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([binary, *args], check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


for name, args in commands.items():
    times = {b: [] for b in binaries}
    for _ in range(runs):
        for binary in binaries:  # interleaved
            times[binary].append(one(binary, args))
    for label, binary in zip(("new", "old"), binaries):
        wall = statistics.median(t[0] for t in times[binary]) * 1000
        cpu = statistics.median(t[1] for t in times[binary]) * 1000
        libraries = sum(1 for line in subprocess.run(["ldd", binary], capture_output=True,
                                                      text=True).stdout.splitlines() if "=>" in line)
        print(f"{name:10} {label}: wall {wall:6.1f} ms, cpu {cpu:6.1f} ms (median), "
              f"{libraries} shared libraries")
PY
