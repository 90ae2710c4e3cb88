#!/usr/bin/env bash
# Compares the heatmaps two attnviz builds draw, byte for byte, over dumps and options that
# exercise reading heads in bands (odd sizes, pooled or not, causal, padded, NaN, float16 and
# bfloat16, npy, npz, safetensors and JSON, crops, fusions, every format). Used to check that
# streaming heads (src/cli/head_bands.cc) changed no figure:
#   scripts/bench/heatmap_identity.sh OLD_ATTNVIZ NEW_ATTNVIZ WORKDIR
set -u
old=$1 new=$2 work=$3
mkdir -p "$work/in" "$work/old" "$work/new"
/usr/bin/python3 - "$work/in" <<'PY'
import json, struct, sys
import numpy as np
out = sys.argv[1]
rng = np.random.default_rng(2026)

def softmax(shape, causal=False):
    logits = rng.standard_normal(shape).astype(np.float32) * 3
    if causal:
        q, k = shape[-2:]
        logits[..., np.triu(np.ones((q, k), bool), 1 + k - q)] = -np.inf
    logits -= logits.max(axis=-1, keepdims=True)
    e = np.exp(logits)
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)

odd = softmax((2, 3, 37, 53))
odd[1, 2, 5, 7] = np.nan
np.save(f"{out}/odd.npy", odd)
causal = softmax((1, 2, 301, 301), causal=True)
causal[0, 1, 200, 3] = np.nan
np.save(f"{out}/causal.npy", causal)
big = softmax((1, 2, 2500, 2500), causal=True)
np.save(f"{out}/big_f16.npy", big.astype(np.float16))
wide = softmax((1, 1, 700, 2111))
np.savez(f"{out}/wide.npz", wide)
padded = softmax((2, 2, 90, 90))
padded[..., 80:] = 0  # key columns of padding: trimmed, or masked with --keep-padding
np.save(f"{out}/padded.npy", padded)
# bfloat16 in safetensors: the high halves of float32 words (rounded to nearest even).
words = softmax((1, 2, 999, 777)).view(np.uint32).astype(np.uint64)
bf16 = ((words + 0x7FFF + ((words >> 16) & 1)) >> 16).astype(np.uint16)
header = json.dumps({"attn": {"dtype": "BF16", "shape": [1, 2, 999, 777],
                              "data_offsets": [0, bf16.nbytes]}}).encode()
with open(f"{out}/bf16.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(header)) + header + bf16.tobytes())
small = softmax((1, 1, 70, 70), causal=True)
json.dump({"attention": small.tolist(), "tokens": [f"t{i}" for i in range(70)]},
          open(f"{out}/small.json", "w"))
PY
in=$work/in
cases=(
  "odd|$in/odd.npy --layer 1 --head 2"
  "odd_all|$in/odd.npy --layer all --head all -o @DIR@/odd_L{layer}_H{head}.@EXT@"
  "odd_fuse|$in/odd.npy --layer all --fuse mean --pool mean"
  "odd_crop|$in/odd.npy --queries 3:30 --keys 5:50 --row-normalize --cell 7"
  "causal|$in/causal.npy --head 1"
  "causal_small|$in/causal.npy --head 1 --size 2inx2in --pool mean"
  "causal_forced|$in/causal.npy --mask causal --norm log"
  "causal_none|$in/causal.npy --mask none --vmax 0.05 --theme dark"
  "causal_fuse|$in/causal.npy --fuse max --norm power:0.5"
  "big|$in/big_f16.npy --head 1"
  "big_bare|$in/big_f16.npy --bare"
  "big_crop|$in/big_f16.npy --queries 100:2377 --keys 7:2222 --pool mean"
  "wide|$in/wide.npz --pool mean --dpi 150"
  "padded|$in/padded.npy --layer 1 --head 1"
  "padded_kept|$in/padded.npy --keep-padding --layer 1 --head 1"
  "padded_kept_fuse|$in/padded.npy --keep-padding --fuse min --keys 50:90"
  "bf16|$in/bf16.safetensors --head 1 --dpi 300"
  "bf16_bare|$in/bf16.safetensors --bare --cell 2 --queries 0:400"
  "json|$in/small.json --annotate"
  "json_plain|$in/small.json"
  "pages|$in/odd.npy --layer all --head all -o @DIR@/pages.pdf"
  "softmax|$in/causal.npy --softmax --head 1 --queries 0:200"
  "axes|$in/wide.npz --axes layer,head,key,query --pool mean"
)
fail=0 count=0
for entry in "${cases[@]}"; do
  name=${entry%%|*} args=${entry#*|}
  for ext in png svg pdf; do
    for side in old new; do
      bin=$old
      [ "$side" = new ] && bin=$new
      dir=$work/$side/$name.$ext
      rm -rf "$dir" && mkdir -p "$dir"
      a=${args//@DIR@/$dir}
      a=${a//@EXT@/$ext}
      case "$a" in *" -o "*) ;; *) a="$a -o $dir/figure.$ext" ;; esac
      # shellcheck disable=SC2086
      "$bin" heatmap $a --quiet 2>"$dir.err" || echo "exit $?" >>"$dir.err"
    done
    count=$((count + 1))
    if ! diff -r "$work/old/$name.$ext" "$work/new/$name.$ext" >/dev/null ||
       ! cmp -s "$work/old/$name.$ext.err" "$work/new/$name.$ext.err"; then
      echo "DIFFERS: $name.$ext ($args)"
      fail=1
    fi
  done
done
files=$(find "$work/new" -type f | wc -l)
echo "$count cases, $files files compared"
[ "$fail" = 0 ] && echo "all byte-identical"
exit "$fail"
