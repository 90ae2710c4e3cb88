#!/usr/bin/env bash
# `attnviz info -` reads standard input: the same JSON (but the path) as reading the file itself.
set -eu
attnviz=$1
shift
for file in "$@"; do
  [ -f "$file" ] || { echo "skip: $file absent"; continue; }
  from_file=$("$attnviz" info "$file" --json | sed 's/"path":"[^"]*"//')
  from_stdin=$("$attnviz" info - --json <"$file" | sed 's/"path":"[^"]*"//')
  if [ "$from_file" != "$from_stdin" ]; then
    echo "stdin differs for $file:"; echo "$from_file"; echo "$from_stdin"; exit 1
  fi
done
