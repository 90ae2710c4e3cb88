#!/usr/bin/env bash
# What a batch says on stderr: nothing off a terminal or with --quiet; a progress bar on a
# pseudo-terminal (script(1)) or with --progress once the work takes more than a second.
# Usage: batch_terminal.sh ATTNVIZ OUT_DIR DATA_DIR
set -eu
attnviz=$1 out=$2 data=$3
. "$(dirname "$0")/batch_dumps.sh"
make_dumps "$out/dumps" "$data"
mkdir -p "$out/figs"
# The bar waits for ATTNVIZ_PROGRESS_DELAY_MS (1 s unless set): 0 here, so that the bar shows
# whatever the speed of the machine; a last, short run keeps the default and must show none.
export ATTNVIZ_PROGRESS_DELAY_MS=0
work=("$attnviz" heatmap "$out/dumps/*.[jnps]*" --layer all --head all
      -j 1 -o "$out/figs/{stem}_L{layer}_H{head}.png")
fail=0
check() {  # check NAME EXPECTED(bar|silent) FILE
  local bar=no
  grep -aqE '[0-9]+/[0-9]+ figures' "$3" && bar=yes
  if [ "$2" = bar ] && [ "$bar" = no ]; then echo "$1: expected a progress bar, got:"; cat -A "$3" | head -5; fail=1; fi
  if [ "$2" = silent ] && [ -s "$3" ]; then echo "$1: expected nothing on stderr, got:"; cat -A "$3" | head -5; fail=1; fi
  if [ "$2" = nobar ] && [ "$bar" = yes ]; then echo "$1: expected no progress bar, got:"; cat -A "$3" | head -5; fail=1; fi
  return 0
}
start=$(date +%s%N)
"${work[@]}" 2>"$out/off_tty.err"
echo "the workload took $((($(date +%s%N) - start) / 1000000)) ms"
check "off a terminal" silent "$out/off_tty.err"
"${work[@]}" --progress 2>"$out/forced.err"
check "--progress off a terminal" bar "$out/forced.err"
# On a pseudo-terminal: script copies what the command wrote to the terminal to its stdout.
printf -v line '%q ' "${work[@]}"
script -qec "$line" /dev/null >"$out/tty.out" </dev/null
check "on a terminal" bar "$out/tty.out"
grep -aq $'\033\\[K' "$out/tty.out" || { echo "on a terminal: the bar was not erased"; fail=1; }
script -qec "$line --quiet" /dev/null >"$out/tty_quiet.out" </dev/null
check "--quiet on a terminal" silent "$out/tty_quiet.out"
# Work shorter than a second shows no bar, even on a terminal (notes may still appear there).
printf -v short '%q ' "$attnviz" heatmap "$data/induction.npy" --layer all --head all -o "$out/figs/short_{layer}_{head}.png"
ATTNVIZ_PROGRESS_DELAY_MS= script -qec "$short" /dev/null >"$out/tty_short.out" </dev/null
check "short work on a terminal" nobar "$out/tty_short.out"
[ "$fail" = 0 ] && echo "ok: silent off a terminal and with --quiet; a bar on a terminal and with --progress"
exit "$fail"
