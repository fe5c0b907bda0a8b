#!/usr/bin/env bash
# scripts/bench-scaling.sh end to end at smoke size: a small random model over 1 and 2 MPI ranks.
# The table must hold every rank count and scheme, and what each rank counted at its transport
# must be what the collective's byte model predicts (f32 mesh for exact: nothing is modelled).
set -euo pipefail
AIRTP=$1; SRC=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$AIRTP" random-model "$tmp/m.gguf" --layers 2 --dim 256 --ffn 512 --heads 8 --kv-heads 4 --vocab 512 --ctx 256 > /dev/null
build=$(dirname "$AIRTP")
AIRTP_SCALING_OUT="$tmp/out" AIRTP_SCALING_RANKS="1 2" \
  bash "$SRC/scripts/bench-scaling.sh" "$build" "$tmp/m.gguf" --prompt-tokens 8 --gen-tokens 8 > "$tmp/log" 2>&1 ||
  { cat "$tmp/log"; fail "bench-scaling.sh failed"; }
/usr/bin/python3 - "$tmp/out/scaling.json" <<'PY' || fail "scaling.json"
import json, sys
rows = json.load(open(sys.argv[1]))
got = sorted((r["devices"], r["scheme_flag"]) for r in rows)
want = sorted([(1, "exact")] + [(2, s) for s in ("exact", "mesh", "star", "ring")])
assert got == want, got
for r in rows:
    p = r["decode_per_token"]
    assert r["transport"].startswith("mpi ("), r["transport"]
    assert r["decode_tokens_per_s"]["median"] > 0
    if r["devices"] == 1:
        assert max(p["sent_bytes_per_device"]) == 0, p
    if r["scheme_flag"] != "exact" and r["devices"] > 1:
        assert p["bytes_measured"], r["scheme_flag"]
        assert p["sent_bytes_per_device"] == p["model_sent_bytes_per_device"], p
        assert p["recv_bytes_per_device"] == p["model_recv_bytes_per_device"], p
        assert min(p["sent_bytes_per_device"]) > 0
    assert abs(r["tp_efficiency"] - r["speedup"] / r["devices"]) < 1e-12
print("ok: scaling.json holds", len(rows), "rows; measured bytes equal the byte model")
PY
grep -q "| 2 | digital-8bit-ring |" "$tmp/out/scaling.md" || { cat "$tmp/out/scaling.md"; fail "no ring row in scaling.md"; }
echo "scaling_script: all checks passed"
