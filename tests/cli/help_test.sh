#!/usr/bin/env bash
# What every command documents about itself.
#   help_test.sh examples ATTNVIZ     every command's --help shows an example of that command
#   help_test.sh manpage ATTNVIZ PAGE the man page has a section per command, formats cleanly
set -uo pipefail
mode=$1 attnviz=$2
commands=$("$attnviz" --help | awk '/^Subcommands:$/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
[ -n "$commands" ] || { echo "no commands in attnviz --help" >&2; exit 1; }
status=0
case $mode in
  examples)
    for c in $commands; do
      "$attnviz" "$c" --help | grep -A1 -E '^Examples?:$' | grep -qE "^  attnviz $c( |$)" ||
        { echo "attnviz $c --help shows no example" >&2; status=1; }
    done ;;
  manpage)
    page=$3
    [ -s "$page" ] || { echo "no man page at $page" >&2; exit 1; }
    for c in $commands; do
      grep -qx ".SS $c" "$page" || { echo "the man page has no section for $c" >&2; status=1; }
    done
    if command -v groff >/dev/null; then
      warnings=$(groff -k -man -Tutf8 -ww -z "$page" 2>&1)
      [ -z "$warnings" ] || { echo "$warnings" >&2; status=1; }
    fi ;;
  *) echo "help_test.sh: unknown mode $mode" >&2; exit 2 ;;
esac
exit $status
