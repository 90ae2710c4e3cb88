#!/usr/bin/env bash
# SIGKILL at random moments while attnviz writes a large multi-page PDF: the file is always the
# previous complete one or the new complete one, never a fragment; the temporaries a killed run
# leaves are removed by the next run. Usage: sigkill_test.sh ATTNVIZ WORK_DIR [TRIALS]
set -eu
attnviz=$1 work=$2 trials=${3:-20}
rm -rf "$work" && mkdir -p "$work"
cd "$work"

# A 4-layer x 8-head dump of 128 x 128 float16 heads (random values; NaN/Inf are drawn as bad).
shape="(4, 8, 128, 128)"
header="{'descr': '<f2', 'fortran_order': False, 'shape': $shape, }"
while [ $(( (10 + ${#header} + 1) % 64 )) != 0 ]; do header="$header "; done
{ printf '\x93NUMPY\x01\x00'; printf "\\x$(printf %02x $(( (${#header} + 1) % 256 )))\\x$(printf %02x $(( (${#header} + 1) / 256 )))";
  printf '%s\n' "$header"; head -c $((4 * 8 * 128 * 128 * 2)) /dev/urandom; } > dump.npy

render() {  # render CMAP: every head, one page each, into report.pdf
  "$attnviz" heatmap dump.npy --layer all --head all --cmap "$1" -j 1 -o report.pdf
}
render viridis && cp report.pdf viridis.pdf
start=$(date +%s%N)
render magma && cp report.pdf magma.pdf
duration_ms=$(( ($(date +%s%N) - start) / 1000000 ))
cmp -s viridis.pdf magma.pdf && { echo "the two versions must differ"; exit 1; }
echo "a complete run takes ${duration_ms} ms"

for trial in $(seq 1 "$trials"); do
  cmap=viridis; [ $((trial % 2)) = 0 ] && cmap=magma
  # attnviz itself in the background, not a subshell running render: killing a subshell left
  # attnviz running on, to replace report.pdf between the two comparisons below.
  "$attnviz" heatmap dump.npy --layer all --head all --cmap "$cmap" -j 1 -o report.pdf &
  pid=$!
  delay_ms=$(( RANDOM % (duration_ms + 1) ))
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if ! cmp -s report.pdf viridis.pdf && ! cmp -s report.pdf magma.pdf; then
    echo "trial $trial (killed after ${delay_ms} ms): report.pdf is neither complete version"; exit 1
  fi
  qpdf --check report.pdf >/dev/null || { echo "trial $trial: qpdf rejects report.pdf"; exit 1; }
done
render viridis
leftovers=$(ls -A | grep -F '.report.pdf.tmp' || true)
[ -z "$leftovers" ] || { echo "temporaries left after a complete run: $leftovers"; exit 1; }
echo "ok: $trials kills, report.pdf always complete, no temporaries left"
