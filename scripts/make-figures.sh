#!/usr/bin/env bash
# Regenerates every experiment's data and figures under docs/results/ (see docs/results/README.md):
#   scripts/make-figures.sh                 # all experiments, parameters from experiments/NAME.json
#   scripts/make-figures.sh ppl-snr mse-power   # only these
#   AIRTP=/path/to/airtp scripts/make-figures.sh  # a binary other than build/airtp
# Each experiment takes a few minutes at most on 2 cores. Timing-based numbers (latency-devices'
# calibration) depend on the machine and its load: run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
AIRTP=${AIRTP:-build/airtp}
if [ ! -x "$AIRTP" ]; then
  scripts/build.sh
fi
command -v gnuplot > /dev/null || echo "make-figures: gnuplot not found (apt-get install gnuplot-nox): data only, no PNG/SVG" >&2
ALL=(mse-power mse-antennas mse-devices latency-devices ppl-snr assignment)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${ALL[@]}")
for name in "${names[@]}"; do
  echo "== airtp experiment $name"
  "$AIRTP" experiment "$name" --out "docs/results/$name"
done
echo "make-figures: done; results in docs/results/"
