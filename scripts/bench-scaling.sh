#!/usr/bin/env bash
# Tensor-parallel scaling for real: one MPI rank per device on this machine, decode tokens/s over
# 1, 2 and 4 ranks with each wired all-reduce (exact f32, and the 8-bit digital codec over the
# mesh, star and ring collectives), with the bytes each rank sent and received per token counted
# at its transport and the time it spent in the all-reduces. Writes
# docs/results/scaling/scaling.{json,md} (or $AIRTP_SCALING_OUT; $AIRTP_SCALING_RANKS picks the rank counts).
#
# Usage: scripts/bench-scaling.sh [build dir] [model.gguf] [extra airtp bench args]
# Without a model, the 0.85 B-parameter random q8_0 Llama of `airtp random-model` (TinyLlama's
# widths, 16 layers; 906 MB) is written to ${AIRTP_SCALING_CACHE:-/tmp/airtp-scaling}/ first.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}; shift || true
MODEL=${1:-}; shift || true
AIRTP="$BUILD/airtp"
OUT=${AIRTP_SCALING_OUT:-docs/results/scaling}; mkdir -p "$OUT"
if [ -z "$MODEL" ]; then
  cache=${AIRTP_SCALING_CACHE:-/tmp/airtp-scaling}; mkdir -p "$cache"
  MODEL="$cache/random-0.85b-q8_0.gguf"
  [ -f "$MODEL" ] || "$AIRTP" random-model "$MODEL" --type q8_0 >&2
fi
MPIRUN=(mpirun --allow-run-as-root --oversubscribe --bind-to none)
RANKS=${AIRTP_SCALING_RANKS:-"1 2 4"}
rows=()
for n in $RANKS; do
  for scheme in exact mesh star ring; do
    # With one rank every scheme sends nothing: one row is enough.
    if [ "$n" = 1 ] && [ "$scheme" != exact ]; then continue; fi
    args=(-a "$scheme")
    [ "$scheme" = exact ] || args+=(--bits 8)
    json=$("${MPIRUN[@]}" -np "$n" "$AIRTP" bench -m "$MODEL" -t 1 -r 3 --no-bandwidth --json "${args[@]}" "$@")
    rows+=("$(/usr/bin/python3 -c 'import json,sys; j=json.loads(sys.argv[1]); j["scheme_flag"]=sys.argv[2]; print(json.dumps(j))' "$json" "$scheme")")
    echo "ranks $n $scheme done" >&2
  done
done
printf '%s\n' "${rows[@]}" | /usr/bin/python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
out = sys.argv[1]
base = next(r for r in rows if r["devices"] == 1)["decode_tokens_per_s"]["median"]
for r in rows:
    t = r["decode_tokens_per_s"]["median"]
    r["speedup"] = t / base
    r["tp_efficiency"] = t / base / r["devices"]
json.dump(rows, open(out + "/scaling.json", "w"), indent=1)
with open(out + "/scaling.md", "w") as f:
    m = rows[0]
    f.write("%s (%s, %.2fM parameters), one thread per rank, %d-token decode after a %d-token prompt, median of %d\n\n"
            % (m["model"].split("/")[-1], m["weight_type"], m["params"] / 1e6, m["gen_tokens"], m["prompt_tokens"], m["repetitions"]))
    f.write("| ranks | all-reduce | decode t/s | ms/token | speedup | TP efficiency | sent / recv per rank per token (measured) | sync ms/token (measured) | link ms/token (modelled, 1 Gbit/s) |\n")
    f.write("|---|---|---|---|---|---|---|---|---|\n")
    for r in rows:
        p = r["decode_per_token"]
        t = r["decode_tokens_per_s"]["median"]
        f.write("| %d | %s | %.2f | %.1f | %.2fx | %.0f%% | %.1f / %.1f kB | %.2f | %.2f |\n" % (
            r["devices"], r["allreduce"], t, 1e3 / t, r["speedup"], 100 * r["tp_efficiency"],
            max(p["sent_bytes_per_device"]) / 1e3, max(p["recv_bytes_per_device"]) / 1e3, p["sync_ms"], p["link_ms"]))
print(open(out + "/scaling.md").read())
' "$OUT"
