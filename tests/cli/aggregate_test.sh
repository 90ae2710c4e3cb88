#!/usr/bin/env bash
# --aggregate end to end on the five inputs of tests/fixtures/analysis/aggregate:
# aggregate_test.sh ATTNVIZ FIXTURES OUT
# stats and classify agree with the numpy goldens (scripts/reference/aggregate.py) to 1e-6, every
# output is byte-identical with -j 1 and -j 3, and check --aggregate passes against a baseline of
# the same set and fails (exit 1) against a baseline of another set.
set -eu
attnviz=$1 fix=$2/analysis/aggregate out=$3
rm -rf "$out"
mkdir -p "$out/j1" "$out/j3"
for j in 1 3; do
  "$attnviz" stats "$fix/*.npy" --aggregate --json -j $j >"$out/j$j/stats.json"
  "$attnviz" stats "$fix/*.npy" --aggregate --csv -j $j >"$out/j$j/stats.csv"
  "$attnviz" stats "$fix/*.npy" --aggregate -j $j >"$out/j$j/stats.txt"
  "$attnviz" stats "$fix/*.npy" --aggregate --plot prev -j $j -o "$out/j$j/prev.png"
  "$attnviz" stats "$fix/*.npy" --aggregate --plot prev --summary std -j $j -o "$out/j$j/prev_std.png"
  "$attnviz" classify "$fix/*.npy" --aggregate --json -j $j >"$out/j$j/classify.json"
  "$attnviz" classify "$fix/*.npy" --aggregate -j $j -o "$out/j$j/labels.png"
done
diff -r "$out/j1" "$out/j3"
/usr/bin/python3 - "$fix/golden.json" "$out/j1/stats.json" "$out/j1/classify.json" <<'PY'
import json, math, sys
golden, stats, labels = (json.load(open(p)) for p in sys.argv[1:])
assert stats["aggregate"]["inputs"] == 5, stats["aggregate"]
compared = 0
for part in ("heads", "layers"):
    assert len(stats[part]) == len(golden[part]), part
    for want, got in zip(golden[part], stats[part]):
        for name, summary in want.items():
            if not isinstance(summary, dict):
                assert got[name] == summary, (part, name)
                continue
            for field, value in summary.items():
                found = got[name][field]
                if value is None:
                    assert found is None, (part, want, name, field, found)
                else:
                    assert abs(found - value) <= 1e-6, (part, want["layer"], name, field, value, found)
                compared += 1
for want, got in zip(golden["labels"], labels["heads"], strict=True):
    assert got["counts"] == want["counts"], (want, got)
    assert got["most_frequent"] == want["most_frequent"], (want, got)
    assert abs(got["share"] - want["most_frequent_count"] / want["inputs"]) <= 1e-12
print(f"ok: {compared} summary values and {len(labels['heads'])} heads' labels as numpy has them")
PY
# A baseline of the set passes; one of two inputs only is another set, and drifts.
"$attnviz" check "$fix/*.npy" --aggregate --baseline "$out/j1/stats.json" --disable finite,row_sum,collapse,uniform,padding,sink,redundant >"$out/same.txt"
grep -q "passed: every rule holds" "$out/same.txt"
"$attnviz" stats "$fix/in_0.npy" "$fix/in_1.npy" --aggregate --json >"$out/two.json"
status=0
"$attnviz" check "$fix/*.npy" --aggregate --baseline "$out/two.json" --disable finite,row_sum,collapse,uniform,padding,sink,redundant >"$out/other.txt" || status=$?
[ "$status" = 1 ] || { echo "expected exit 1 against another set's baseline, found $status"; cat "$out/other.txt"; exit 1; }
grep -q "^drift: [0-9]* of [0-9]* head statistics fail" "$out/other.txt"
# Without an output that lists every result, passed ones are only counted: the same summary.
status=0
"$attnviz" check "$fix/*.npy" --aggregate --baseline "$out/two.json" --all --disable collapse,sink >"$out/other_all.txt" || status=$?
"$attnviz" check "$fix/*.npy" --aggregate --baseline "$out/two.json" --disable collapse,sink >"$out/other.txt" || true
[ "$status" = 1 ] || { echo "expected exit 1 with --all too, found $status"; exit 1; }
diff <(sed -n 3,12p "$out/other.txt") <(sed -n 3,12p "$out/other_all.txt")
[ "$(tail -1 "$out/other.txt")" = "$(tail -1 "$out/other_all.txt")" ]
# --batch all: the items of one file, each with its own padding, summarised as the per-item runs
# (--batch N) say: their mean and median, numpy's, for every head and statistic.
batched=$2/formats/npz_padded_right.npz
"$attnviz" stats "$batched" --batch all --aggregate --json >"$out/items.json"
for b in 0 1 2; do "$attnviz" stats "$batched" --batch $b --json >"$out/item$b.json"; done
/usr/bin/python3 - "$out/items.json" "$out"/item{0,1,2}.json <<'PY'
import json, sys
import numpy as np
aggregate, *items = (json.load(open(p)) for p in sys.argv[1:])
assert aggregate["aggregate"]["inputs"] == 3 and [i["batch"] for i in aggregate["inputs"]] == [0, 1, 2]
checked = 0
for index, head in enumerate(aggregate["heads"]):
    for name, summary in head.items():
        if not isinstance(summary, dict):
            continue
        values = [item["heads"][index][name] for item in items]
        values = np.array([np.nan if v is None else v for v in values])
        if summary["n"] == 0:
            assert np.all(np.isnan(values)), (name, values)
            continue
        assert abs(summary["mean"] - np.nanmean(values)) <= 1e-6, (index, name)
        assert abs(summary["median"] - np.nanmedian(values)) <= 1e-6, (index, name)
        checked += 1
print(f"ok: {checked} --batch all summaries agree with the items read one by one")
PY
echo "ok: outputs identical with -j 1 and -j 3; check --aggregate passes its own baseline, fails another"
