#!/usr/bin/env bash
# No source path is baked into the binary: installed under a prefix and run from an empty
# directory, airtp finds the bundled model and the experiment configs in PREFIX/share/airtp,
# and an experiment writes into ./results/NAME of the working directory.
set -euo pipefail
AIRTP=$1; SRC=$2
BUILD=$(dirname "$AIRTP")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cmake --install "$BUILD" --prefix "$tmp/prefix" > "$tmp/install.log" || { cat "$tmp/install.log"; fail "install"; }
mkdir "$tmp/work" && cd "$tmp/work"
unset AIRTP_DATA_DIR
"$tmp/prefix/bin/airtp" generate -D 2 -n 3 -t 1 --seed 1 > out.txt 2> err.txt || { cat err.txt; fail "generate"; }
grep -q "share/airtp/models/airtp-kjv-q8_0.gguf" err.txt || { cat err.txt; fail "the model was not found in the prefix"; }
"$tmp/prefix/bin/airtp" experiment mse-power --smoke --no-plot > exp.txt 2>&1 || { cat exp.txt; fail "experiment"; }
[ -s results/mse-power/mse-power.csv ] || { cat exp.txt; fail "no results/mse-power/mse-power.csv in the working directory"; }
grep -q "parameters: .*share/airtp/experiments/mse-power.json" exp.txt || { cat exp.txt; fail "experiments/mse-power.json not taken from the prefix"; }
# The source tree is nowhere in what the installed binary read or wrote.
! grep -rq "$SRC" err.txt exp.txt results/ || fail "the installed binary referred to the source tree $SRC"
echo "ok: installed binary runs from $tmp/work with its data in the prefix"
