#!/usr/bin/env bash
# Aggregates stream: over the 40 dodrio-twitter dumps, `stats --aggregate` and
# `check --aggregate` hold about as much memory as over 10 of them (peak RSS within 16 MB), and
# the 40 take seconds. ATTNVIZ_TEST_SANITIZED=1 (a sanitizer build) leaves the memory bound out.
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
  if [ "${ATTNVIZ_TEST_SANITIZED:-0}" = 1 ]; then
    echo "$command: memory not bounded here (a sanitizer build keeps freed memory)"
  elif [ $((forty - ten)) -gt 16384 ]; then
    echo "$command: memory grows with the inputs"
    exit 1
  fi
  /usr/bin/python3 -c "import sys; sys.exit(0 if float('$seconds') < 60 else 1)" ||
    { echo "$command: expected seconds, took $seconds s"; exit 1; }
done
if [ "${ATTNVIZ_TEST_SANITIZED:-0}" = 1 ]; then
  echo "ok: 40 inputs in seconds (memory not bounded under sanitizers)"
else
  echo "ok: 40 inputs in seconds, in bounded memory"
fi
