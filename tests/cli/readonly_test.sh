#!/usr/bin/env bash
# Writing into a read-only folder fails with exit 4, one line, and leaves nothing behind. As root
# (CI) permissions do not apply, so the command runs as the unprivileged user nobody.
set -u
attnviz=$1 input=$2 folder=$3
run=("$attnviz")
if [ "$(id -u)" = 0 ]; then
  # nobody may not reach the build tree (a clone in a private temp folder): copy what it needs.
  shared=$(mktemp -d) && chmod 755 "$shared" && trap 'rm -rf "$shared"' EXIT
  cp "$attnviz" "$input" "$shared/" && chmod a+rx "$shared"/*
  attnviz=$shared/$(basename "$attnviz") input=$shared/$(basename "$input")
  # Nor may it read the LeakSanitizer suppressions of a sanitizer build, so leaks are not checked
  # in this one run (every other test checks them).
  run=(env -u LSAN_OPTIONS ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
       setpriv --reuid=65534 --regid=65534 --clear-groups "$attnviz")
  folder=$shared/read_only
fi
rm -rf "$folder" && mkdir -p "$folder" && chmod 555 "$folder"
err=$("${run[@]}" heatmap "$input" -o "$folder/out.png" 2>&1)
code=$?
chmod 755 "$folder"
[ "$code" = 4 ] || { echo "exit $code, expected 4: $err"; exit 1; }
grep -q "out.png: cannot create a file in .*Permission denied" <<<"$err" || { echo "message: $err"; exit 1; }
[ -z "$(ls -A "$folder")" ] || { echo "left behind: $(ls -A "$folder")"; exit 1; }
