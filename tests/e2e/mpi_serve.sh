#!/usr/bin/env bash
# `airtp serve` under mpirun: rank 0 serves, rank 1 follows. A chat answer equals the in-process
# server's for the same seed (streamed and not), a client that hangs up mid-stream leaves every
# rank ready for the next request, and a rank that dies ends the whole server at once.
set -euo pipefail
AIRTP=$1; SRC=$2
MPIRUN=(mpirun --allow-run-as-root --oversubscribe --bind-to none)
MODEL="$SRC/models/airtp-kjv-q8_0.gguf"
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$tmp"/*.err; do [ -f "$f" ] && { echo "== $f"; tail -20 "$f"; }; done; exit 1; }
PY=/usr/bin/python3

start() {  # name, command...: starts a server, sets PORT and SERVER_PID
  local name=$1; shift
  "$@" --port 0 -t 1 2> "$tmp/$name.err" &
  SERVER_PID=$!; pids+=("$SERVER_PID")
  for _ in $(seq 120); do
    grep -q "listening on" "$tmp/$name.err" && break
    kill -0 "$SERVER_PID" 2>/dev/null || fail "$name: the server exited before listening"
    sleep 0.5
  done
  PORT=$(grep -o "127.0.0.1:[0-9]*" "$tmp/$name.err" | head -1 | cut -d: -f2)
  [ -n "$PORT" ] || fail "$name: no port printed"
}

CHAT='{"messages":[{"role":"user","content":"Who made the heaven and the earth?"}],"max_tokens":24,"seed":7}'
answer() { curl -sf -m 60 "localhost:$PORT/v1/chat/completions" -d "$CHAT" > "$tmp/$1.json" || fail "$1: request failed"
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["choices"][0]["message"]["content"]); print(d["usage"]["airtp"]["transport"], file=sys.stderr)' "$tmp/$1.json"; }
streamed() { curl -sfN -m 60 "localhost:$PORT/v1/chat/completions" -d "${CHAT%\}},\"stream\":true}" > "$tmp/$1.sse" || fail "$1: streamed request failed"
  $PY -c '
import json,sys
text=""
for line in open(sys.argv[1]):
    if line.startswith("data: {"):
        text += json.loads(line[6:])["choices"][0]["delta"].get("content","")
print(text)' "$tmp/$1.sse"; }

start inproc "$AIRTP" serve -m "$MODEL" -D 2 --transport inprocess
want=$(answer inproc 2>/dev/null)
kill "$SERVER_PID"; wait "$SERVER_PID" || true
[ -n "$want" ] || fail "the in-process server gave an empty answer"

start mpi "${MPIRUN[@]}" -np 2 "$AIRTP" serve -m "$MODEL" --mpi-timeout 20
got=$(answer mpi 2> "$tmp/transport.txt")
grep -q "mpi (2 ranks)" "$tmp/transport.txt" || fail "the answer did not come from the 2-rank job: $(cat "$tmp/transport.txt")"
[ "$got" = "$want" ] || fail "MPI answer differs from the in-process one for seed 7:\n  mpi:        $got\n  in-process: $want"
echo "ok: 2 ranks answer as the in-process server for the same seed"
got=$(streamed mpi)
[ "$got" = "$want" ] || fail "the streamed MPI answer differs from the whole one: '$got'"
echo "ok: the streamed answer under MPI is the same text"

# A client that hangs up after the first chunk: rank 0 cancels, rank 1 must follow it, or the
# next request would find the ranks out of step (and the job would hang or time out).
curl -sN -m 60 "localhost:$PORT/v1/chat/completions" \
  -d '{"messages":[{"role":"user","content":"Tell me everything"}],"max_tokens":200,"seed":1,"stream":true}' | head -c 100 > /dev/null || true
for _ in $(seq 60); do grep -q "cancelled (client gone)" "$tmp/mpi.err" && break; sleep 0.5; done
grep -q "cancelled (client gone)" "$tmp/mpi.err" || fail "the hung-up stream was not cancelled"
got=$(answer again 2>/dev/null)
[ "$got" = "$want" ] || fail "after a cancelled stream the ranks answer differently: '$got'"
echo "ok: after a client hung up mid-stream, both ranks serve the next request"

# Rank 1 dies: the whole job ends at once (no server left holding the socket), non-zero.
rank1=""
for p in $(pgrep -P "$SERVER_PID" || true); do
  if tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=1"; then rank1=$p; fi
done
[ -n "$rank1" ] || fail "rank 1's process not found"
kill -9 "$rank1"
start_s=$(date +%s)
set +e
timeout 60 tail --pid="$SERVER_PID" -f /dev/null
wait "$SERVER_PID"; rc=$?
set -e
[ "$rc" -ne 0 ] || fail "mpirun exited 0 although rank 1 died"
grep -qiE "rank 1.*(signal|exited)|exited on signal" "$tmp/mpi.err" || fail "no message naming the dead rank"
curl -s -m 5 "localhost:$PORT/health" > /dev/null && fail "the server still answers after rank 1 died"
echo "ok: rank 1 died, the server ended in $(( $(date +%s) - start_s )) s with rc $rc"

# Ctrl-C on mpirun ends every rank.
start sigint "${MPIRUN[@]}" -np 2 "$AIRTP" serve -m "$MODEL"
ranks=$(pgrep -P "$SERVER_PID" || true)  # this job's ranks only (other tests may run servers)
[ -n "$ranks" ] || fail "no rank processes under mpirun"
kill -INT "$SERVER_PID"
timeout 30 tail --pid="$SERVER_PID" -f /dev/null || fail "mpirun did not end within 30 s of SIGINT"
alive() { [ -e "/proc/$1" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; }  # zombies are gone
for p in $ranks; do
  for _ in $(seq 20); do alive "$p" || break; sleep 0.5; done
  alive "$p" && fail "rank process $p ($(tr '\0' ' ' < "/proc/$p/cmdline")) outlived mpirun by 10 s"
done
echo "mpi_serve: all checks passed"
