#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, AddressSanitizer + UndefinedBehaviorSanitizer +
# LeakSanitizer) and runs them one after another; exits non-zero on any crash, leak, sanitizer
# report, out-of-memory, oversized allocation or timeout. See docs/fuzzing.md.
#
#   scripts/fuzz.sh SECONDS [HARNESS...]   run each harness for SECONDS
#   scripts/fuzz.sh -runs=N [HARNESS...]   run each harness for N executions
#
# Harnesses: npy npz json safetensors tokens torch load graph (default: all). Environment:
# FUZZ_BUILD (build folder, default build/fuzz), FUZZ_JOBS (compile jobs, default 2), FUZZ_MAX_LEN
# (largest input, default 4096: small inputs run fast, and every structure of every format fits
# in it).
# Installs clang and its runtimes first when missing (scripts/install-deps.sh fuzz); compiles
# through ccache when it is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly all_harnesses=(npy npz json safetensors tokens torch load graph)
readonly build=${FUZZ_BUILD:-build/fuzz}
readonly max_len=${FUZZ_MAX_LEN:-4096}

usage() {
  sed -n '6,7p' "$0" | sed 's/^# *//' >&2
  exit 2
}

[[ $# -ge 1 ]] || usage
case $1 in
  -runs=[0-9]*) limit=("$1") ;;
  [0-9]*) limit=(-max_total_time="$1") ;;
  *) usage ;;
esac
shift
harnesses=("${@:-${all_harnesses[@]}}")
for harness in "${harnesses[@]}"; do
  [[ " ${all_harnesses[*]} " == *" $harness "* ]] || { echo "unknown harness: $harness" >&2; usage; }
done

# Without NDEBUG, and with _GLIBCXX_ASSERTIONS checking span and vector preconditions too.
configure() {
  local launcher=""
  if command -v ccache >/dev/null; then launcher=ccache; fi
  CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER_LAUNCHER="$launcher" \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -D_GLIBCXX_ASSERTIONS" \
    -DATTNVIZ_FUZZ=ON -DATTNVIZ_SANITIZE=address,undefined -DBUILD_TESTING=OFF >/dev/null
}

# The fixtures and sample data of one format: the seeds libFuzzer starts from. Only those of at
# most max_len bytes: libFuzzer would cut a longer one short, and a cut one is only refused.
seed_files() {
  local f=tests/fixtures patterns=""
  case $1 in
    npy) patterns="$f/formats/*.npy $f/bad/*.npy data/*.npy" ;;
    npz) patterns="$f/formats/*.npz $f/bad/*.npz data/*.npz" ;;
    json) patterns="$f/formats/json_*.json $f/bad/*.json data/*.json" ;;
    safetensors) patterns="$f/formats/*.safetensors $f/bad/*.safetensors data/*.safetensors" ;;
    tokens) patterns="$f/formats/tokens_* $f/bad/*.txt $f/bad/tokens_not_strings.json data/*.txt" ;;
    torch) patterns="$f/torch/*.pt $f/torch/*.pkl" ;;
    load) for format in npy npz json safetensors tokens torch; do seed_files "$format"; done ;;
    graph) patterns="$f/graph/*.npz $f/graph/*.safetensors $f/graph/*.pt data/gat.npz" ;;
  esac
  for file in $patterns; do
    if [[ -f $file && $(stat -c %s "$file") -le $max_len ]]; then echo "$file"; fi
  done
}

dictionary() {
  case $1 in
    load) cat tests/fuzz/dicts/*.dict ;;
    graph) cat tests/fuzz/dicts/{npz,safetensors,torch,graph}.dict ;;
    *) cat "tests/fuzz/dicts/$1.dict" ;;
  esac
}

# Fuzzing records two frames per allocation, for speed; a replay of each failing input records
# full allocation stacks in ARTIFACT.txt.
replay_artifacts() {
  local binary=$1 artifact
  for artifact in "$2"/*; do
    [[ -f $artifact && $artifact != *.txt ]] || continue
    ASAN_OPTIONS= "$binary" "$artifact" >"$artifact.txt" 2>&1 || true
  done
}

# Prints one line of the summary from libFuzzer's final stats; returns non-zero on any finding.
run_harness() {
  local harness=$1 work=$build/work/$1 binary=$build/tests/fuzz/fuzz_$1
  local log=$work/fuzz.log
  rm -rf "$work/seeds" "$work/artifacts" && mkdir -p "$work/seeds" "$work/corpus" "$work/artifacts"
  seed_files "$harness" | sort -u | xargs cp -t "$work/seeds"
  dictionary "$harness" >"$work/fuzz.dict"
  local regressions=tests/fuzz/regressions/$harness
  [[ -d $regressions ]] || regressions=
  local status=0 start=$SECONDS
  nice -n 19 "$binary" "${limit[@]}" -max_len="$max_len" \
    -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 \
    -dict="$work/fuzz.dict" -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
    "$work/corpus" "$work/seeds" $regressions >"$log" 2>&1 || status=$?
  local seconds=$((SECONDS - start))
  local runs speed
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  # Belt and braces: a sanitizer report is a finding even if the exit status were lost.
  if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
    [[ $status != 0 ]] || status=1
  fi
  [[ $status == 0 ]] || replay_artifacts "$binary" "$work/artifacts"
  printf '%-12s %12s runs %7s s %8s exec/s  %s\n' "$harness" "${runs:-?}" "$seconds" \
    "${speed:-?}" "$([[ $status == 0 ]] && echo ok || echo "FAILED, see $log and $work/artifacts")"
  return "$status"
}

export ASAN_OPTIONS=${ASAN_OPTIONS-malloc_context_size=2}
export UBSAN_OPTIONS=${UBSAN_OPTIONS-print_stacktrace=1}

bash scripts/install-deps.sh fuzz
configure
if ! cmake --build "$build" -j "${FUZZ_JOBS:-2}" --target "${harnesses[@]/#/fuzz_}" \
  >"$build/build.log" 2>&1; then
  tail -40 "$build/build.log" >&2
  exit 2
fi

failed=0
for harness in "${harnesses[@]}"; do
  run_harness "$harness" || failed=1
done
exit "$failed"
