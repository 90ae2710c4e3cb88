#!/usr/bin/env bash
# Runs attnviz and checks what a user would see: expect.sh EXIT STDERR_RE STDOUT_RE ABSENT EXISTS CMD...
# EXIT is the exact exit code; the regexes (extended, may be empty) must match stderr / stdout;
# ABSENT (may be empty) must not exist afterwards, nor any temporary file beside it;
# EXISTS (may be empty) must exist afterwards and be non-empty.
set -u
want_exit=$1 stderr_re=$2 stdout_re=$3 absent=$4 exists=$5
shift 5
[ -n "$absent" ] && rm -f "$absent"
[ -n "$exists" ] && rm -f "$exists"
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$@" >"$out" 2>"$err" </dev/null
got=$?
fail=0
if [ "$got" != "$want_exit" ]; then echo "exit code: expected $want_exit, got $got"; fail=1; fi
if [ -n "$stderr_re" ] && ! grep -Eq -- "$stderr_re" "$err"; then
  echo "stderr does not match /$stderr_re/"; fail=1
fi
if [ -n "$stdout_re" ] && ! grep -Eq -- "$stdout_re" "$out"; then
  echo "stdout does not match /$stdout_re/"; fail=1
fi
if [ "$want_exit" != 0 ] && [ "$(wc -l <"$err")" -gt 1 ]; then
  echo "stderr has more than one line"; fail=1
fi
if [ -n "$absent" ]; then
  [ -e "$absent" ] && { echo "$absent exists but must not"; fail=1; }
  leftovers=$(ls -a "$(dirname "$absent")" 2>/dev/null | grep -F ".$(basename "$absent").tmp" || true)
  [ -n "$leftovers" ] && { echo "temporary files left: $leftovers"; fail=1; }
fi
if [ -n "$exists" ] && [ ! -s "$exists" ]; then echo "$exists missing or empty"; fail=1; fi
if [ "$fail" != 0 ]; then
  echo "command: $*"; echo "--- stdout"; head -c 2000 "$out"; echo "--- stderr"; cat "$err"
fi
exit "$fail"
