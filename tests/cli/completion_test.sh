#!/usr/bin/env bash
# The bash completion completes commands, options, listed choices, colormap names and files.
# Usage: completion_test.sh ATTNVIZ COMPLETION_SCRIPT DATA_DIR
set -uo pipefail
attnviz=$1
# shellcheck source=/dev/null
source "$2"
data=$3
status=0

# expect "WORDS..." WANTED: completing the last word of WORDS offers WANTED.
expect() {
  local words=$1 wanted=$2
  read -r -a COMP_WORDS <<<"$words"
  [[ $words == *" " ]] && COMP_WORDS+=("")
  COMP_WORDS[0]=$attnviz
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  _attnviz
  if ! printf '%s\n' "${COMPREPLY[@]}" | grep -qxF -- "$wanted"; then
    echo "completing '$words' did not offer '$wanted' (got: ${COMPREPLY[*]:0:10})" >&2
    status=1
  fi
}

expect "attnviz hea" heatmap
expect "attnviz rol" rollout
expect "attnviz --ver" --version
expect "attnviz hel" help
expect "attnviz help clu" cluster
expect "attnviz heatmap --lay" --layer
expect "attnviz heatmap -" -o
expect "attnviz grid --theme d" dark
expect "attnviz heatmap --pool " mean
expect "attnviz heatmap --cmap viri" viridis_r
expect "attnviz info $data/induc" "$data/induction.npy"
exit $status
