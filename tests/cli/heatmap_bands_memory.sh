#!/usr/bin/env bash
# The heatmap of a 4096 x 4096 float16 head (32 MB, 64 MB once converted) streams it in bands: its
# peak RSS is within 16 MB of that of a 256 x 256 head's figure, where a converted copy of the whole
# head would add 64 MB; and it takes seconds. (A float32 head is drawn from the dump's pages in
# place, which RSS counts though they are the page cache's, so float16 is what tells a copy here.)
# heatmap_bands_memory.sh ATTNVIZ OUT. ATTNVIZ_TEST_SANITIZED=1 (a sanitizer build, whose shadow
# memory and quarantine set the peak) leaves the memory bound out.
set -eu
attnviz=$1 out=$2
mkdir -p "$out"
/usr/bin/python3 - "$out" <<'PY'
import sys
import numpy as np
rng = np.random.default_rng(14)
for n in (256, 4096):
    head = rng.random((n, n), dtype=np.float32)
    head /= head.sum(axis=1, keepdims=True)
    np.save(f"{sys.argv[1]}/head{n}.npy", head.astype(np.float16))
PY
# peak NAME: "peak-RSS-in-kB seconds" of the heatmap of head NAME.npy.
peak() {
  /usr/bin/time -f "%M %e" -o "$out/$1.time" "$attnviz" heatmap "$out/$1.npy" -o "$out/$1.png"
  cat "$out/$1.time"
}
read -r small _ < <(peak head256)
read -r big seconds < <(peak head4096)
echo "peak RSS: 256^2 head $small kB, 4096^2 head $big kB ($seconds s)"
[ -s "$out/head4096.png" ] || { echo "no figure written"; exit 1; }
/usr/bin/python3 -c "import sys; sys.exit(0 if float('$seconds') < 20 else 1)" ||
  { echo "expected seconds, took $seconds s"; exit 1; }
if [ "${ATTNVIZ_TEST_SANITIZED:-0}" = 1 ]; then
  echo "ok: figure written (memory not bounded under sanitizers)"
  exit 0
fi
if [ $((big - small)) -gt 16384 ]; then
  echo "the 4096^2 head's figure holds $((big - small)) kB more than the 256^2 one's: the head was copied"
  exit 1
fi
echo "ok: the 32 MB float16 head's figure holds $((big - small)) kB more than a 128 KB head's"
