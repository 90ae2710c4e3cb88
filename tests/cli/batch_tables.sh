#!/usr/bin/env bash
# stats and classify over several files: one table whose rows are, file by file, the rows of a
# run on that file alone behind a first column "file"; JSON rows carry a "file" key.
# Usage: batch_tables.sh ATTNVIZ OUT_DIR DATA_DIR
set -eu
attnviz=$1 out=$2 data=$3
. "$(dirname "$0")/batch_dumps.sh"
make_dumps "$out/dumps" "$data"
cd "$out"
files=(dumps/copy_offset.npz dumps/induction.npy dumps/reverse.json)  # sorted, as attnviz sorts
for command in stats classify; do
  "$attnviz" "$command" dumps/reverse.json dumps/induction.npy dumps/copy_offset.npz --csv >"$command.csv"
  { "$attnviz" "$command" "${files[0]}" --csv | sed -n 1p | sed 's/^/file,/'
    for f in "${files[@]}"; do "$attnviz" "$command" "$f" --csv | sed 1d | sed "s|^|$f,|"; done
  } >"$command.expected.csv"
  diff "$command.expected.csv" "$command.csv"
  # The text table: one header, a row per head of every file.
  rows=$("$attnviz" "$command" "dumps/*.np?" | grep -c '^dumps/')
  [ "$command" = stats ] && want=$((2 * (8 + 2))) || want=16  # heads, then layer means
  [ "$rows" = "$want" ] || { echo "$command text: expected $want rows, found $rows"; exit 1; }
done
# JSON: the heads of the batch are those of the single runs, each with its file.
/usr/bin/python3 - "$attnviz" "${files[@]}" <<'PY'
import json, subprocess, sys
attnviz, files = sys.argv[1], sys.argv[2:]
def run(*args):
    return json.loads(subprocess.run([attnviz, *args], check=True, capture_output=True).stdout)
for command in ("stats", "classify"):
    batch = run(command, *files, "--json")
    single = [dict(h, file=f) for f in files for h in run(command, f, "--json")["heads"]]
    assert batch["heads"] == single, command
    assert all("file" not in h for h in run(command, files[0], "--json")["heads"])
print("ok: json rows match the single-file runs")
PY
echo "ok: stats and classify tables over ${#files[@]} files match their single-file runs"
