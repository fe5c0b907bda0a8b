#!/usr/bin/env bash
# MPI runs (one rank per device) must produce the same tokens as the in-process run, and a rank
# that dies or stalls must stop the job with a clear error within a bounded time.
set -euo pipefail
AIRTP=$1; SRC=$2
MPIRUN=(mpirun --allow-run-as-root --oversubscribe --bind-to none)
STORIES="$SRC/tests/data/stories260K.bin"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
tokens() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tokens"])' "$1"; }

# The bytes each device sent and received per decoded token, as the run counted them.
bytes() {
  /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["decode"]["per_token"]; print(d["sent_bytes_per_device"], d["recv_bytes_per_device"])' "$1"
}

model_bytes() {
  /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["decode"]["per_token"]; print(d["model_sent_bytes_per_device"], d["model_recv_bytes_per_device"])' "$1"
}

check_same() {  # model, devices, extra args...
  local model=$1 n=$2; shift 2
  "$AIRTP" generate -m "$model" -D "$n" -n 24 --temp 0 --json -t 1 "$@" > "$tmp/inproc.json"
  "${MPIRUN[@]}" -np "$n" "$AIRTP" generate -m "$model" -n 24 --temp 0 --json -t 1 "$@" > "$tmp/mpi.json"
  local a b; a=$(tokens "$tmp/inproc.json"); b=$(tokens "$tmp/mpi.json")
  [ "$a" = "$b" ] || fail "$model N=$n $*: in-process $a vs MPI $b"
  grep -q '"transport": "mpi (' "$tmp/mpi.json" || fail "the MPI run did not use the MPI transport"
  # What the ranks counted at the transport is what the in-process run counted (and the contract
  # test holds that equal to the scheme's byte model).
  a=$(bytes "$tmp/inproc.json"); b=$(bytes "$tmp/mpi.json")
  [ "$a" = "$b" ] || fail "$model N=$n $*: bytes per token in-process $a vs MPI $b"
  # ... and, counted at the ranks' transports, equal the link model's bytes.
  a=$(model_bytes "$tmp/mpi.json")
  [ "$a" = "$b" ] || fail "$model N=$n $*: bytes per token measured under MPI $b vs link model $a"
  echo "ok: $(basename "$model") N=$n $* -> same 24 tokens, same bytes per token"
}

check_same "$STORIES" 3 --token-ids 1
check_same "$STORIES" 4 --token-ids 1 --shares 0.4,0.2,0.2,0.2
check_same "$STORIES" 3 --token-ids 1 -a digital --bits 8
check_same "$STORIES" 3 --token-ids 1 -a star --bits 6
check_same "$STORIES" 4 --token-ids 1 -a ring --bits 8
check_same "$STORIES" 3 --token-ids 1 -a fdma
BUNDLED="$SRC/models/airtp-kjv-q8_0.gguf"
if [ -f "$BUNDLED" ]; then
  check_same "$BUNDLED" 3 -p "In the beginning"
  check_same "$BUNDLED" 4 -p "And God said" -a digital --bits 8 --topology mesh
fi

# Under MPI the error is not measured unless asked (one all-reduce per sync point, not two).
"${MPIRUN[@]}" -np 2 "$AIRTP" generate -m "$STORIES" --token-ids 1 -n 4 --json -t 1 -a mesh > "$tmp/plain.json"
grep -q '"allreduce_nmse": null' "$tmp/plain.json" || fail "an MPI run measured the error without --measure-error"
"${MPIRUN[@]}" -np 2 "$AIRTP" generate -m "$STORIES" --token-ids 1 -n 4 --json -t 1 -a mesh --measure-error > "$tmp/measured.json"
grep -qE '"allreduce_nmse": [0-9]' "$tmp/measured.json" || fail "--measure-error did not measure the error under MPI"
echo "ok: the error is measured under MPI only with --measure-error"

# A rank that exits mid-generation: mpirun must end the job, non-zero, quickly.
start=$(date +%s)
set +e
AIRTP_FAULT_INJECT="2:5:exit" timeout 120 "${MPIRUN[@]}" -np 3 "$AIRTP" generate -m "$STORIES" --token-ids 1 -n 24 \
  --temp 0 -t 1 --mpi-timeout 10 > "$tmp/dead.out" 2> "$tmp/dead.err"
rc=$?; set -e
[ $rc -ne 0 ] || fail "the job succeeded although rank 2 died"
[ $rc -ne 124 ] || fail "the job hung after rank 2 died"
grep -qiE "exited|signal|abort" "$tmp/dead.err" || { cat "$tmp/dead.err"; fail "no message about the dead rank"; }
echo "ok: dead rank stops the job in $(( $(date +%s) - start )) s"

# A rank that stalls: the others time out and abort with a message naming the collective.
start=$(date +%s)
set +e
AIRTP_FAULT_INJECT="1:5:stall" timeout 120 "${MPIRUN[@]}" -np 3 "$AIRTP" generate -m "$STORIES" --token-ids 1 -n 24 \
  --temp 0 -t 1 --mpi-timeout 5 > "$tmp/stall.out" 2> "$tmp/stall.err"
rc=$?; set -e
[ $rc -ne 0 ] || fail "the job succeeded although rank 1 stalled"
[ $rc -ne 124 ] || fail "the job hung on a stalled rank"
grep -q "did not complete within 5.0 s" "$tmp/stall.err" || { cat "$tmp/stall.err"; fail "no timeout message"; }
echo "ok: stalled rank detected, job aborted in $(( $(date +%s) - start )) s"
echo "mpi_consistency: all checks passed"
