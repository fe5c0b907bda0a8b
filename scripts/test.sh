#!/usr/bin/env bash
# Command 2 of the README (and what CI runs): install dependencies, build, run every test; then
# the same tests again under AddressSanitizer + UndefinedBehaviorSanitizer, and a short fuzz run
# of every input parser (docs/reliability.md). The sanitizer tree is built with clang and holds
# the libFuzzer targets too, so the library is compiled twice, not three times. Environment:
#   AIRTP_ASAN_BUILD=DIR      sanitizer + fuzz build tree (default build-asan)
#   AIRTP_SANITIZE_STAGE=0    skips the sanitizer tests
#   AIRTP_FUZZ_SECONDS=N      seconds per fuzz target (default 10; 0 skips the fuzz stage)
set -euo pipefail
cd "$(dirname "$0")/.."
ASAN_BUILD=${AIRTP_ASAN_BUILD:-build-asan}
FUZZ_SECONDS=${AIRTP_FUZZ_SECONDS:-10}

# Wall and CPU seconds per stage (CPU = user + sys of the stage's processes: on a shared or
# loaded machine it estimates what the stage costs on an idle 2-core CI runner, ~CPU / 2).
timings=()
stage_start=0
stage_cpu=0
times_file=$(mktemp)
cpu=0
read_cpu() {  # cpu = children's user + sys so far, from the `times` builtin ("1m2.5s 0m3.1s");
  times > "$times_file"  # it must run in this shell: a pipe or $(...) would fork and see none
  cpu=$(tail -1 "$times_file" |
    awk '{ s = 0; for (i = 1; i <= 2; ++i) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] }; printf "%d", s }')
}
begin() { stage_start=$(date +%s); read_cpu; stage_cpu=$cpu; echo "== $1"; }
end() {
  read_cpu
  timings+=("$(printf '%-38s wall %5d s   cpu %5d s' "$1" $(( $(date +%s) - stage_start )) \
    $(( cpu - stage_cpu )))")
}
report() {
  rm -f "$times_file"
  [ ${#timings[@]} -gt 0 ] || return 0
  echo "== stage times"
  for t in "${timings[@]}"; do echo "   $t"; done
}
trap report EXIT

begin "install dependencies"
scripts/install-deps.sh
end "install dependencies"

begin "build (Release)"
scripts/build.sh
end "build (Release)"

begin "ctest (Release)"
(cd build && ctest --output-on-failure -j2 --timeout 900)
end "ctest (Release)"

CXX_CLANG=$(command -v clang++ || command -v clang++-14 || true)
CC_CLANG=$(command -v clang || command -v clang-14 || true)
if [ "${AIRTP_SANITIZE_STAGE:-1}" != 0 ] || [ "$FUZZ_SECONDS" != 0 ]; then
  [ -n "$CXX_CLANG" ] && [ -n "$CC_CLANG" ] ||
    { echo "test: clang++ not found (scripts/install-deps.sh installs clang libclang-rt-14-dev)"; exit 1; }
  # -O1 -g1 (line tables for the reports) compiles in half the time of -O2 -g under the
  # sanitizers; assertions stay on (no NDEBUG), Eigen's included.
  begin "build (clang ASan+UBSan, -O1, assertions on; tests + fuzz targets)"
  mkdir -p "$ASAN_BUILD"
  cmake -S . -B "$ASAN_BUILD" -G Ninja -DAIRTP_SANITIZE=ON -DAIRTP_FUZZ=ON -DCMAKE_BUILD_TYPE=None \
    -DCMAKE_CXX_COMPILER="$CXX_CLANG" -DCMAKE_C_COMPILER="$CC_CLANG" \
    -DCMAKE_CXX_FLAGS="-O1 -g1" -DAIRTP_BUILD_BENCH=OFF > "$ASAN_BUILD/build.log" 2>&1 ||
    { cat "$ASAN_BUILD/build.log"; exit 1; }
  cmake --build "$ASAN_BUILD" -j"$(nproc)" >> "$ASAN_BUILD/build.log" 2>&1 ||
    { tail -50 "$ASAN_BUILD/build.log"; exit 1; }
  end "build (clang ASan+UBSan, -O1, assertions on; tests + fuzz targets)"
fi

if [ "${AIRTP_SANITIZE_STAGE:-1}" != 0 ]; then
  # Every test but the MPI end-to-end ones: under ASan, OpenMPI's own allocations (PMIx, the
  # transport plugins) show up as leaks and mpirun's daemons are not instrumented, so those
  # reports would be about OpenMPI, not airtp.
  begin "ctest -LE e2e (ASan+UBSan)"
  # UBSan findings abort (-fno-sanitize-recover); print where they happened.
  (cd "$ASAN_BUILD" &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_init_order=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j2 --timeout 1800 -LE e2e)
  end "ctest -LE e2e (ASan+UBSan)"
fi

if [ "$FUZZ_SECONDS" != 0 ]; then
  begin "fuzz smoke (${FUZZ_SECONDS} s per target)"
  AIRTP_FUZZ_BUILD="$ASAN_BUILD" scripts/fuzz.sh "$FUZZ_SECONDS"
  end "fuzz smoke (${FUZZ_SECONDS} s per target)"
fi
