#!/usr/bin/env bash
# Aggregates stream: over the 40 dodrio-twitter dumps, `stats --aggregate` and
# `check --aggregate` hold about as much memory as over 10 of them (peak RSS within 16 MB), and
# the 40 take seconds.
# aggregate_dodrio.sh ATTNVIZ REAL; exit 77 (skipped) when ../shared/real is absent.
set -eu
attnviz=$1 dir=$2/dodrio-twitter
if [ ! -f "$dir/stats.csv" ]; then echo "skipped: no $dir"; exit 77; fi
all=("$dir"/tw_*.npy)
[ "${#all[@]}" = 40 ] || { echo "expected 40 dumps, found ${#all[@]}"; exit 1; }
# peak_kb COMMAND FILES...: "peak-RSS-in-kB seconds" of COMMAND --aggregate over FILES, one thread.
peak_kb() {
  local command=$1
  shift
  /usr/bin/time -f "%M %e" "$attnviz" "$command" "$@" --aggregate -j 1 2>&1 >/dev/null | tail -1
}
for command in stats check; do
  read -r ten _ < <(peak_kb $command "${all[@]:0:10}")
  read -r forty seconds < <(peak_kb $command "${all[@]}")
  echo "$command: peak RSS 10 inputs $ten kB, 40 inputs $forty kB; 40 inputs in $seconds s"
  [ $((forty - ten)) -le 16384 ] || { echo "$command: memory grows with the inputs"; exit 1; }
  /usr/bin/python3 -c "import sys; sys.exit(0 if float('$seconds') < 60 else 1)" ||
    { echo "$command: expected seconds, took $seconds s"; exit 1; }
done
echo "ok: bounded memory over 40 inputs"
