#!/usr/bin/env bash
# Builds attnviz from scratch and runs the whole CTest suite twice: an optimised build with
# warnings as errors, then a build with AddressSanitizer and UndefinedBehaviorSanitizer; between
# the two, runs every fuzz harness briefly so that none can rot. Prints failures in full and exits
# non-zero on any failure. Installs missing Debian packages first.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
jobs=$(nproc)

run_suite() {  # run_suite BUILD_DIR CMAKE_ARGS...
  local build=$1
  shift
  rm -rf "$build"
  cmake -S . -B "$build" -DATTNVIZ_WERROR="${ATTNVIZ_WERROR:-ON}" "$@" >/dev/null
  cmake --build "$build" -j "$jobs"
  ctest --test-dir "$build" --output-on-failure -j "$jobs"
}

# Warnings as errors by default; ATTNVIZ_WERROR=OFF for a compiler newer than the one CI uses.
# Line tables only (-g1), not full debug information: backtraces keep their file:line, and the
# compiler spends about a third less time (CI's slower machines have 45 minutes for all of this).
echo "== optimised build"
run_suite build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"

# Every libFuzzer harness for ATTNVIZ_TEST_FUZZ seconds (default 10; 0 skips): the fuzz build
# compiles only the input side of the library; about 8 minutes in all on a loaded 2-core machine
# (docs/fuzzing.md, "In CI").
fuzz_seconds=${ATTNVIZ_TEST_FUZZ:-10}
if [ "$fuzz_seconds" != 0 ]; then
  echo "== fuzz harnesses, ${fuzz_seconds} s each"
  start=$SECONDS
  rm -rf build/fuzz-ci  # from scratch, as above; a developer's build/fuzz corpus stays
  FUZZ_BUILD=build/fuzz-ci FUZZ_JOBS=$jobs bash scripts/fuzz.sh "$fuzz_seconds"
  echo "fuzz step: $((SECONDS - start)) s"
fi

# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer
# (ATTNVIZ_TEST_SANITIZE=0 skips it for a quick local run).
[ "${ATTNVIZ_TEST_SANITIZE:-1}" = 1 ] || exit 0
echo "== sanitizer build (address, undefined)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Warnings as errors here too. (GCC 12 with sanitizers reported false -Wmaybe-uninitialized
# inside libstdc++'s std::regex, which attnviz and its tests no longer use.)
run_suite build/asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DATTNVIZ_SANITIZE=address,undefined
