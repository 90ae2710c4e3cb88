#!/usr/bin/env bash
# The library's layering, checked on the #include lines of the tree. Dependencies flow one way:
# cli -> html -> render -> analysis -> io -> tensor; the simd module is under all of them and
# includes none of them, the png encoder is render's alone; analysis never includes Cairo or Pango.
# Prints each include that points up as FILE:LINE: LAYER may not include HEADER, and exits 1 if
# there is one.
# Usage: include_rules.sh SOURCE_ROOT
set -uo pipefail
cd "$1" || exit 2
status=0

# forbid LAYER PATTERN FOLDERS...: no file under FOLDERS includes a header matching PATTERN (an
# extended regex on the included name, e.g. attnviz/render/foo.h or render/foo.h).
forbid() {
  local layer=$1 pattern=$2
  shift 2
  local hits
  hits=$(grep -rnE --include='*.h' --include='*.cc' "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($pattern)" "$@" 2>/dev/null)
  [[ -z $hits ]] && return
  local file line text header
  while IFS=: read -r file line text; do
    read -r header <<<"${text#*include}"
    echo "$file:$line: $layer may not include $header" >&2
  done <<<"$hits"
  status=1
}

# A layer's folders: its public headers and its sources (private headers included).
folders() { for layer in "$@"; do echo "include/attnviz/$layer" "src/$layer"; done; }

above() { local IFS='|'; echo "(attnviz/)?($*)/"; }

# shellcheck disable=SC2046  # folders prints words on purpose
{
  forbid tensor "$(above io analysis render html cli png)" $(folders tensor)
  forbid io "$(above analysis render html cli png)" $(folders io)
  forbid analysis "$(above render html cli png)" $(folders analysis)
  forbid analysis "(cairo|pango)" $(folders analysis)
  forbid "png/simd" "$(above tensor io analysis render html cli)" $(folders png simd)
  forbid render "$(above html cli)" $(folders render)
  forbid html "$(above cli)" $(folders html)
}
[[ $status == 0 ]] && echo "include rules hold"
exit $status
