#!/usr/bin/env bash
# Decode tokens/s vs number of devices on this machine, in-process and under MPI (one rank per
# device), for the bundled model; writes docs/results/scaling/scaling.{json,md}.
# Usage: scripts/bench-scaling.sh [build dir] [extra airtp bench args]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}; shift || true
AIRTP="$BUILD/airtp"
OUT=docs/results/scaling; mkdir -p "$OUT"
MPIRUN=(mpirun --allow-run-as-root --oversubscribe --bind-to none)
rows=()
for n in 1 2 3 4 8; do
  for mode in inproc mpi; do
    if [ "$mode" = inproc ]; then
      json=$("$AIRTP" bench -D "$n" -t 1 -r 3 --no-bandwidth --json "$@")
    else
      # One thread per process in both modes, so the modes differ only in the transport.
      json=$("${MPIRUN[@]}" -np "$n" "$AIRTP" bench -t 1 -r 3 --no-bandwidth --json "$@")
    fi
    rows+=("$(/usr/bin/python3 -c 'import json,sys; j=json.loads(sys.argv[1]); j["mode"]=sys.argv[2]; print(json.dumps(j))' "$json" "$mode")")
    echo "devices $n $mode done" >&2
  done
done
printf '%s\n' "${rows[@]}" | /usr/bin/python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
json.dump(rows, open(sys.argv[1] + "/scaling.json", "w"), indent=1)
with open(sys.argv[1] + "/scaling.md", "w") as f:
    f.write("| devices | mode | threads/process | prefill t/s | decode t/s (wall) | decode t/s (simulated concurrent) |\n|---|---|---|---|---|---|\n")
    for r in rows:
        f.write("| %d | %s | %d | %.0f | %.1f | %.1f |\n" % (r["devices"], r["mode"], r["threads"],
                r["prefill_tokens_per_s"]["median"], r["decode_tokens_per_s"]["median"],
                r["decode_simulated_tokens_per_s"]["median"]))
print(open(sys.argv[1] + "/scaling.md").read())
' "$OUT"
