#!/usr/bin/env bash
# --batch all on a dump with a batch axis (layer, batch, head, query, key) = (2, 2, 3, 5, 4): one
# figure per item through {batch}, each byte for byte the figure of a run with --batch N, the same
# with -j 1 and -j 2 and over two shards; tables with a "batch" column whose rows are the single-item runs' rows, and
# whose confidence values numpy computes from the array itself.
# Usage: batch_items.sh ATTNVIZ OUT_DIR RANK5_NPY RANK4_NPY
set -euo pipefail
attnviz=$1 out=$2 rank5=$3 rank4=$4
rm -rf "$out" && mkdir -p "$out/j1" "$out/j2" "$out/single"
cd "$out"
cp "$rank5" batched.npy
fail() { echo "FAIL: $*" >&2; exit 1; }

# Figures: 2 items x 2 layers x 3 heads, each the figure of its own --batch N run.
for jobs in 1 2; do
  "$attnviz" heatmap batched.npy --batch all --layer all --head all -j "$jobs" \
    -o "j$jobs/{stem}_b{batch}_L{layer}_H{head}.svg"
done
[ "$(ls j1 | wc -l)" = 12 ] || fail "expected 12 figures, found: $(ls j1)"
diff -r j1 j2 || fail "-j 1 and -j 2 differ"
for item in 0 1; do
  "$attnviz" heatmap batched.npy --batch "$item" --layer all --head all -j 1 \
    -o "single/{stem}_b{batch}_L{layer}_H{head}.svg"
done
diff -r j1 single || fail "--batch all figures differ from the --batch N runs"
mkdir -p shards  # the items' figures are work items of --shard like the figures of files
for shard in 0/2 1/2; do
  "$attnviz" heatmap batched.npy --batch all --layer all --head all -j 1 --shard "$shard" \
    -o "shards/{stem}_b{batch}_L{layer}_H{head}.svg"
done
diff -r j1 shards || fail "shards 0/2 and 1/2 together differ from the whole run"
cmp -s j1/batched_b0_L0_H0.svg j1/batched_b1_L0_H0.svg && fail "items 0 and 1 drew the same figure"
for command in grid arrows highlight; do
  "$attnviz" "$command" batched.npy --batch all -o "$command-{batch}.svg"
  "$attnviz" "$command" batched.npy --batch 1 -o "$command-single1.svg"
  cmp "$command-1.svg" "$command-single1.svg" || fail "$command --batch all item 1"
  [ -f "$command-0.svg" ] || fail "$command: item 0 missing"
done

# Without {batch}, the items would share a file: a usage error that says what to add, no output.
status=0
"$attnviz" heatmap batched.npy --batch all -o one.png 2>err.txt || status=$?
[ "$status" = 2 ] || fail "no {batch}: exit $status, expected 2"
grep -q "2 figures would share a file name; put {batch} in it" err.txt || fail "no {batch}: $(cat err.txt)"
[ ! -e one.png ] || fail "no {batch}: one.png written"

# Tables: a "batch" column after "file", its rows those of the single-item runs.
for command in stats classify; do
  "$attnviz" "$command" batched.npy --batch all --csv >"$command.csv"
  { "$attnviz" "$command" batched.npy --csv | sed -n 1p | sed 's/^/batch,/'
    for item in 0 1; do "$attnviz" "$command" batched.npy --batch "$item" --csv | sed 1d | sed "s/^/$item,/"; done
  } >"$command.expected.csv"
  diff "$command.expected.csv" "$command.csv" || fail "$command --batch all CSV"
  "$attnviz" "$command" batched.npy --batch all | sed -n 1p | grep -q '^batch  ' || fail "$command text: no batch column"
done
# cluster: each item clustered on its own; figures need {batch}.
"$attnviz" cluster batched.npy --batch all --csv -o 'dendrogram_{batch}.svg' >cluster.csv
{ "$attnviz" cluster batched.npy --csv | sed -n 1p | sed 's/^/batch,/'
  for item in 0 1; do "$attnviz" cluster batched.npy --batch "$item" --csv | sed 1d | sed "s/^/$item,/"; done
} >cluster.expected.csv
diff cluster.expected.csv cluster.csv || fail "cluster --batch all CSV"
"$attnviz" cluster batched.npy --batch 1 -o dendrogram_single1.svg >/dev/null
cmp dendrogram_1.svg dendrogram_single1.svg || fail "cluster --batch all dendrogram of item 1"
status=0
"$attnviz" cluster batched.npy --batch all -o dendrogram.svg >/dev/null 2>err.txt || status=$?
[ "$status" = 2 ] && grep -q "put {batch} in it" err.txt || fail "cluster without {batch}: $status $(cat err.txt)"

cp "$rank4" plain.npy  # no batch axis: one item, item 0, for every file of a batch
"$attnviz" stats batched.npy plain.npy --batch all --csv >two.csv
sed -n 1p two.csv | grep -q '^file,batch,layer,head,' || fail "two files: columns $(sed -n 1p two.csv)"
[ "$(grep -c '^plain.npy,0,' two.csv)" = "$(("$("$attnviz" stats plain.npy --csv | wc -l)" - 1))" ] ||
  fail "a dump without a batch axis is not item 0"
grep -q '^plain.npy,1,' two.csv && fail "a dump without a batch axis has an item 1"

# stats --plot: one figure per item.
"$attnviz" stats batched.npy --batch all --plot entropy -o 'entropy_{batch}.png'
[ -s entropy_0.png ] && [ -s entropy_1.png ] || fail "stats --plot: $(ls)"

/usr/bin/python3 - "$attnviz" batched.npy <<'PY'
import csv, io, json, subprocess, sys
import numpy as np
attnviz, path = sys.argv[1:]
def run(*args):
    return subprocess.run([attnviz, *args], check=True, capture_output=True, text=True).stdout
# JSON: every head of the batch run is a single run's head with its "batch".
for command in ("stats", "classify"):
    batch = json.loads(run(command, path, "--batch", "all", "--json"))["heads"]
    single = [dict(h, batch=b) for b in (0, 1)
              for h in json.loads(run(command, path, "--batch", str(b), "--json"))["heads"]]
    assert batch == single, command
# cluster: one object per item under "items", each the --batch N object with its "batch".
items = json.loads(run("cluster", path, "--batch", "all", "--json"))["items"]
assert items == [dict(json.loads(run("cluster", path, "--batch", str(b), "--json")), batch=b)
                 for b in (0, 1)], "cluster"
# check: every item's results in turn, each naming its item, as the --batch N runs give them.
batch = json.loads(run("check", path, "--batch", "all", "--json"))["results"]
single = [dict(r, batch=b, group=f"batch {b} {r['group']}") for b in (0, 1)
          for r in json.loads(run("check", path, "--batch", str(b), "--json"))["results"]]
assert batch == single, "check"
# confidence = mean over query rows of the row's largest weight, from the array itself.
array = np.load(path)  # (layer, batch, head, query, key)
rows = list(csv.DictReader(io.StringIO(run("stats", path, "--batch", "all", "--csv"))))
assert len(rows) == 2 * 2 * 3, len(rows)
for row in rows:
    b, l, h = int(row["batch"]), int(row["layer"]), int(row["head"])
    want = array[l, b, h].max(axis=-1).mean()
    assert abs(float(row["confidence"]) - want) < 1e-5, (row, want)
print("ok: JSON rows, check results and confidence values")
PY
echo "ok: --batch all figures and tables match the single-item runs"
