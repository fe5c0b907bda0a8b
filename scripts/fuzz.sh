#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang + ASan + UBSan) and runs each one for a while.
#   scripts/fuzz.sh [SECONDS_PER_TARGET (default 60)] [TARGET...]
# TARGET is gguf, llama2c, tokenizer, bpe, scenario or shares (default: all). Exits non-zero when a
# target crashes; the input is saved as $BUILD/crashes/<target>-crash-*. Environment:
#   AIRTP_FUZZ_BUILD        build directory (default build-fuzz)
#   AIRTP_FUZZ_LARGE_SEEDS  1: also seed with the test models of tests/data
# New interesting inputs accumulate in $BUILD/corpus/<target> (the committed seeds in
# fuzz/corpus/ are only read). Reproduce a crash: $BUILD/fuzz/fuzz_<target> <crash file>.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(gguf llama2c tokenizer bpe tensor_types scenario shares)
BUILD=${AIRTP_FUZZ_BUILD:-build-fuzz}
CXX_CLANG=$(command -v clang++ || command -v clang++-14 || true)
CC_CLANG=$(command -v clang || command -v clang-14 || true)
if [ -z "$CXX_CLANG" ] || [ -z "$CC_CLANG" ]; then
  echo "fuzz: clang++ not found (Debian: apt-get install clang libclang-rt-14-dev)" >&2
  exit 2
fi

mkdir -p "$BUILD"
log="$BUILD/fuzz-build.log"
start=$(date +%s)
# A tree already configured for fuzzing (the test command's sanitizer tree, which builds the
# tests and the fuzz targets in one go) is reused as it is.
if ! grep -q '^AIRTP_FUZZ:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
  # -O1 -g1: what libFuzzer's documentation builds with; half the compile time of -O2 -g.
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -g1" \
    -DCMAKE_CXX_COMPILER="$CXX_CLANG" -DCMAKE_C_COMPILER="$CC_CLANG" -DAIRTP_FUZZ=ON \
    -DAIRTP_BUILD_TESTS=OFF -DAIRTP_BUILD_BENCH=OFF > "$log" 2>&1 || { cat "$log"; exit 1; }
fi
cmake --build "$BUILD" --target fuzz_all fuzz_make_seeds -j"$(nproc)" >> "$log" 2>&1 ||
  { tail -50 "$log"; exit 1; }
echo "fuzz: built in $(( $(date +%s) - start )) s (log in $log)"

# The committed micro models, regenerated (so a format change cannot leave stale seeds); with
# AIRTP_FUZZ_LARGE_SEEDS=1 also the test models (100-500 KB: ~4x fewer runs per second, a bit
# more coverage of real vocabularies).
rm -rf "$BUILD/seeds"
if [ "${AIRTP_FUZZ_LARGE_SEEDS:-0}" = 1 ]; then
  "$BUILD/fuzz/fuzz_make_seeds" "$BUILD/seeds" tests/data > /dev/null
else
  "$BUILD/fuzz/fuzz_make_seeds" "$BUILD/seeds" > /dev/null
fi

failed=()
for t in "${TARGETS[@]}"; do
  bin="$BUILD/fuzz/fuzz_$t"
  [ -x "$bin" ] || { echo "fuzz: unknown target '$t'" >&2; exit 2; }
  mkdir -p "$BUILD/corpus/$t" "$BUILD/crashes" "$BUILD/seeds/$t"
  dict=()
  [ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
  echo "fuzz: $t for ${SECONDS_PER_TARGET} s"
  t0=$(date +%s)
  # -timeout: an input running for seconds is a hang (a bug); -rss_limit_mb: so is a huge
  # allocation from a size field.
  if "$bin" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$BUILD/crashes/$t-" "${dict[@]}" \
       "$BUILD/corpus/$t" "fuzz/corpus/$t" "$BUILD/seeds/$t" > "$BUILD/fuzz-$t.log" 2>&1; then
    echo "fuzz: $t ok ($(grep -E '^stat::number_of_executed_units' "$BUILD/fuzz-$t.log" | awk '{print $2}') runs in $(( $(date +%s) - t0 )) s, corpus $(ls "$BUILD/corpus/$t" | wc -l) files)"
  else
    echo "fuzz: $t FAILED, last lines of $BUILD/fuzz-$t.log:" >&2
    grep -E "ERROR|SUMMARY|invariant|Test unit written|uncaught|what\(\)" "$BUILD/fuzz-$t.log" | head -20 >&2 || true
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in ${failed[*]} (inputs in $BUILD/crashes/)" >&2
  exit 1
fi
echo "fuzz: all ${#TARGETS[@]} targets clean"
