#!/usr/bin/env bash
# One unreadable file in a batch: the others' figures and table rows are all written, the bad one
# is reported on one line naming it, a last line counts the failures, exit 3 (docs/cli.md), no
# output or temporary file for the bad one; the same with -j 1 and -j 2.
# Usage: batch_failures.sh ATTNVIZ OUT_DIR DATA_DIR BAD_DIR
set -euo pipefail
attnviz=$1 out=$2 data=$3 bad=$4
rm -rf "$out" && mkdir -p "$out/dumps"
cd "$out"
fail() { echo "FAIL: $*" >&2; exit 1; }
cp "$data/induction.npy" dumps/a.npy
cp "$bad/truncated.npy" dumps/b_truncated.npy  # sorted between the good ones
cp "$data/copy_offset.npz" dumps/c.npz

# expect_batch_failure STDERR_FILE STATUS: exit 3, the bad file on one line, then the count.
expect_batch_failure() {
  local err=$1 status=$2
  [ "$status" = 3 ] || fail "exit $status, expected 3: $(cat "$err")"
  [ "$(wc -l <"$err")" = 2 ] || fail "expected 2 lines on stderr: $(cat "$err")"
  sed -n 1p "$err" | grep -q '^attnviz: dumps/b_truncated.npy: header says shape' ||
    fail "first line: $(sed -n 1p "$err")"
  sed -n 2p "$err" | grep -q '^attnviz: 1 input failed, reported above; every other input was processed$' ||
    fail "last line: $(sed -n 2p "$err")"
}

for jobs in 1 2; do
  mkdir -p "figs$jobs"
  status=0
  "$attnviz" heatmap 'dumps/*' --layer all --head all -j "$jobs" \
    -o "figs$jobs/{stem}_L{layer}_H{head}.png" 2>"heatmap$jobs.err" || status=$?
  expect_batch_failure "heatmap$jobs.err" "$status"
  ls "figs$jobs" | grep -q '^b_truncated' && fail "-j $jobs: a figure of the bad file"
  ls -a "figs$jobs" | grep -q '\.tmp\.' && fail "-j $jobs: a temporary file was left"
done
diff -r figs1 figs2 || fail "-j 1 and -j 2 differ"
mkdir -p figs_good
"$attnviz" heatmap dumps/a.npy dumps/c.npz --layer all --head all -j 1 \
  -o "figs_good/{stem}_L{layer}_H{head}.png"
diff -r figs_good figs1 || fail "the good files' figures differ from a run without the bad file"

status=0
"$attnviz" grid dumps/a.npy dumps/b_truncated.npy dumps/c.npz -o 'grid_{stem}.svg' 2>grid.err || status=$?
expect_batch_failure grid.err "$status"
[ -s grid_a.svg ] && [ -s grid_c.svg ] && [ ! -e grid_b_truncated.svg ] || fail "grid outputs: $(ls)"

# Tables: the rows of the good files, as a run over them alone prints them.
for command in stats classify; do
  for format in --csv --json ""; do
    status=0
    "$attnviz" "$command" 'dumps/*' $format >"$command$format.out" 2>"$command$format.err" || status=$?
    expect_batch_failure "$command$format.err" "$status"
    "$attnviz" "$command" dumps/a.npy dumps/c.npz $format >"$command$format.expected"
    diff "$command$format.expected" "$command$format.out" || fail "$command $format rows"
  done
done
status=0
"$attnviz" stats 'dumps/*' --plot entropy -o 'entropy_{stem}.png' 2>plot.err || status=$?
expect_batch_failure plot.err "$status"
[ -s entropy_a.png ] && [ -s entropy_c.png ] && [ ! -e entropy_b_truncated.png ] || fail "plots: $(ls)"

# Every input bad: a line each, then the count; still exit 3.
status=0
"$attnviz" stats dumps/b_truncated.npy dumps/missing.npy >none.out 2>none.err || status=$?
[ "$status" = 3 ] || fail "all bad: exit $status"
[ "$(wc -l <none.err)" = 3 ] || fail "all bad: $(cat none.err)"
[ ! -s none.out ] || fail "all bad: something on stdout: $(cat none.out)"
grep -q '^attnviz: dumps/missing.npy: cannot open' none.err || fail "all bad: $(cat none.err)"
grep -q '^attnviz: 2 inputs failed' none.err || fail "all bad: $(cat none.err)"
echo "ok: the good files of a batch are written, the bad one reported, exit 3"
