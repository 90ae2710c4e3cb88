#!/usr/bin/env bash
# The program without one of its modules (src/io/module_loader.h): every other command works, and
# a command that needs the module fails in one line naming it and where it looked, with its exit
# code, and leaves no output file. The program is copied alone into WORK_DIR/bin (no module beside,
# above or in lib/) and run in WORK_DIR.
#   without_module.sh ATTNVIZ DATA_DIR WORK_DIR MODULE EXIT OUTPUT ARGS...
#   e.g. without_module.sh build/attnviz data /tmp/w attnviz_graphviz.so 4 gat.png \
#          graph data/gat.npz -o gat.png
set -euo pipefail
attnviz=$1 data=$2 work=$3 module=$4 expected=$5 output=$6
shift 6
rm -rf "$work" && mkdir -p "$work/bin"
cp "$attnviz" "$work/bin/attnviz"
cd "$work"
bin/attnviz stats "$data/induction.npy" >/dev/null
set +e
bin/attnviz "$@" 2>err
code=$?
set -e
cat err
[ "$code" = "$expected" ] || { echo "expected exit $expected, found $code" >&2; exit 1; }
[ "$(wc -l <err)" = 1 ] || { echo "expected one line of error" >&2; exit 1; }
grep -qF "$module is not installed (looked for $work/bin/$module" err ||
  { echo "expected the error to name $module and where it was looked for" >&2; exit 1; }
[ ! -e "$output" ] || { echo "a partial $output was written" >&2; exit 1; }
echo "ok"
