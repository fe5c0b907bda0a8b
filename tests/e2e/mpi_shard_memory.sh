#!/usr/bin/env bash
# Under mpirun each rank keeps only its shard resident, not the model file: with 4 ranks on a
# 165 MB model, every rank's peak RSS must stay within 1.15 x (its shard + KV cache + output
# head, as generate reports them) + 30 MB. A rank that kept the file's pages would exceed it.
set -euo pipefail
AIRTP=$1
MPIRUN=(mpirun --allow-run-as-root --oversubscribe --bind-to none)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$AIRTP" random-model "$tmp/m.gguf" --layers 8 --dim 1024 --ffn 2816 --heads 16 --kv-heads 4 --vocab 32000 --type q8_0 > /dev/null
"${MPIRUN[@]}" -np 4 "$AIRTP" generate -m "$tmp/m.gguf" --token-ids 1 -n 8 -t 1 -c 256 --json > "$tmp/out.json" 2> "$tmp/err" ||
  fail "generate under mpirun: $(tail -3 "$tmp/err")"
/usr/bin/python3 - "$tmp/out.json" "$(stat -c %s "$tmp/m.gguf")" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); file_bytes = int(sys.argv[2])
devs = d["memory"]["devices"]
assert len(devs) == 4, devs
assert devs[0]["output_head_bytes"] > 0 and all(m["output_head_bytes"] == 0 for m in devs[1:]), "the head is on device 0"
for i, m in enumerate(devs):
    bound = 1.15 * m["holds_bytes"] + 30e6
    print(f"device {i}: holds {m['holds_bytes']/1e6:.1f} MB, peak RSS {m['process_peak_rss_bytes']/1e6:.1f} MB, "
          f"bound {bound/1e6:.1f} MB, file {file_bytes/1e6:.1f} MB")
    if m["process_peak_rss_bytes"] > bound:
        sys.exit(f"FAIL: device {i} peak RSS {m['process_peak_rss_bytes']/1e6:.1f} MB exceeds {bound/1e6:.1f} MB")
PY
echo "ok: every rank within 1.15 x its footprint + 30 MB"
