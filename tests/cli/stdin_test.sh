#!/usr/bin/env bash
# `attnviz info -` reads standard input: the same JSON (but the path) as reading the file itself.
# Checks the files that are present, then exits 77 (a skip CTest shows) if any was absent.
set -eu
attnviz=$1
shift
absent=0
for file in "$@"; do
  [ -f "$file" ] || { echo "SKIP: $file absent"; absent=1; continue; }
  from_file=$("$attnviz" info "$file" --json | sed 's/"path":"[^"]*"//')
  from_stdin=$("$attnviz" info - --json <"$file" | sed 's/"path":"[^"]*"//')
  if [ "$from_file" != "$from_stdin" ]; then
    echo "stdin differs for $file:"; echo "$from_file"; echo "$from_stdin"; exit 1
  fi
done
[ "$absent" = 0 ] || exit 77
