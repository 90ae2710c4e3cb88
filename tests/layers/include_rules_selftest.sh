#!/usr/bin/env bash
# include_rules.sh finds each kind of upward include in a small made-up tree, in public headers and
# private ones, with either spelling of the path, and passes the includes the layering allows.
# Usage: include_rules_selftest.sh INCLUDE_RULES_SH
set -uo pipefail
rules=$1
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
status=0

# put FILE LINE: FILE (under the made-up tree) gets the #include line LINE.
put() {
  mkdir -p "$tree/$(dirname "$1")"
  echo "$2" >>"$tree/$1"
}

# Allowed: every layer may include tensor, error.h, simd and itself; render and html analysis.
put include/attnviz/analysis/ok.h '#include "attnviz/tensor/matrix.h"'
put src/io/ok.cc '#include "attnviz/error.h"'
put src/tensor/ok.cc '#include "simd/kernels.h"'
put src/render/ok.cc '#include <pango/pangocairo.h>'
put src/html/ok.cc '#include "attnviz/analysis/rollout.h"'
if ! out=$(bash "$rules" "$tree" 2>&1); then
  echo "a tree that keeps the rules was refused: $out" >&2
  status=1
fi

put include/attnviz/analysis/bad.h '#include "attnviz/render/matrix.h"'
put src/analysis/bad.cc '#include "render/cell_painter.h"'
put src/analysis/bad_cairo.cc '#include <cairo.h>'
put src/io/bad.cc '  #  include "attnviz/analysis/rollout.h"'
put include/attnviz/tensor/bad.h '#include "attnviz/io/dump.h"'
put src/png/bad.cc '#include "attnviz/render/canvas.h"'
put src/simd/bad.cc '#include "attnviz/tensor/dtype.h"'
put src/render/bad.cc '#include "cli/selection.h"'
put src/html/bad.cc '#include "cli/table.h"'
out=$(bash "$rules" "$tree" 2>&1)
code=$?
[[ $code == 1 ]] || { echo "expected exit 1 on a tree that breaks the rules, got $code" >&2; status=1; }
for wanted in \
  'include/attnviz/analysis/bad.h:1: analysis may not include "attnviz/render/matrix.h"' \
  'src/analysis/bad.cc:1: analysis may not include "render/cell_painter.h"' \
  'src/analysis/bad_cairo.cc:1: analysis may not include <cairo.h>' \
  'src/io/bad.cc:1: io may not include "attnviz/analysis/rollout.h"' \
  'include/attnviz/tensor/bad.h:1: tensor may not include "attnviz/io/dump.h"' \
  'src/png/bad.cc:1: png/simd may not include "attnviz/render/canvas.h"' \
  'src/simd/bad.cc:1: png/simd may not include "attnviz/tensor/dtype.h"' \
  'src/render/bad.cc:1: render may not include "cli/selection.h"' \
  'src/html/bad.cc:1: html may not include "cli/table.h"'; do
  grep -qxF -- "$wanted" <<<"$out" || { echo "missing: $wanted" >&2; status=1; }
done
lines=$(grep -c 'may not include' <<<"$out")
[[ $lines == 9 ]] || { echo "expected 9 findings, got $lines: $out" >&2; status=1; }
[[ $status == 0 ]] && echo "include rules self-test passed"
exit $status
