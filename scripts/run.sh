#!/usr/bin/env bash
# Command 1 of the README: install dependencies, build, and generate text with the bundled model
# split over 4 simulated devices whose all-reduces go over the air (AirComp).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
build/airtp generate --devices 4 --allreduce aircomp --prompt "In the beginning" --n-predict 48 "$@"
