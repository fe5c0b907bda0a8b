#!/usr/bin/env bash
# `airtp experiment` end to end at smoke sizes: valid CSV/JSON, a real PNG/SVG when gnuplot is
# installed, a warning (and data) without it, parameter errors named, and an interrupted run
# leaving the previous results intact.
set -euo pipefail
AIRTP=$1; SRC=$2
PY=/usr/bin/python3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$AIRTP" experiment mse-power --smoke --out "$tmp/mse" 2> "$tmp/stderr" > "$tmp/stdout"
# stderr is a file here: no progress bar redrawn with \r lines (it is for a terminal only).
if grep -q $'\r' "$tmp/stderr"; then cat -A "$tmp/stderr"; fail "progress bar \\r lines written to a file"; fi
# On a terminal (a pseudo-terminal from util-linux `script`) the bar is drawn.
if command -v script > /dev/null; then
  script -qec "\"$AIRTP\" experiment mse-power --smoke --no-plot --out \"$tmp/tty\"" /dev/null > "$tmp/tty.log" 2>&1 < /dev/null
  grep -q "100%" "$tmp/tty.log" || { cat "$tmp/tty.log"; fail "no progress bar on a terminal"; }
fi

# CSV: a header, one row per swept power, the same number of fields everywhere, numbers only.
$PY - "$tmp/mse" <<'EOF' || fail "invalid CSV/JSON"
import csv, json, math, sys, os
d = sys.argv[1]
rows = list(csv.reader(open(os.path.join(d, "mse-power.csv"))))
head, body = rows[0], rows[1:]
assert "tx_power_dbm" in head and "sdr_mse" in head and "digital8_nmse_db" in head, head
assert len(body) == 2, body
for r in body:
    assert len(r) == len(head), r
    vals = [float(x) for x in r]  # every cell numeric
col = {h: i for i, h in enumerate(head)}
for r in body:
    sdr = float(r[col["sdr_mse"]])
    for m in ("mmse", "mf", "equal_power"):
        assert sdr < float(r[col[m + "_mse"]]), (m, r)
j = json.load(open(os.path.join(d, "mse-power.json")))
assert j["experiment"] == "mse-power"
assert j["params"]["realizations"] == 3, j["params"]
assert "--smoke" in j["command"]
assert len(j["tables"]["mse-power"]) == 2
assert j["results"]["sdr_gain_over_baseline"]["mmse"]["mean_db"] > 0
print("ok: CSV and JSON valid, SDR below every baseline")
EOF

if command -v gnuplot > /dev/null; then
  [ -s "$tmp/mse/mse-power.png" ] || fail "no PNG although gnuplot is installed"
  head -c 8 "$tmp/mse/mse-power.png" | grep -q PNG || fail "mse-power.png is not a PNG"
  grep -q "<svg" "$tmp/mse/mse-power.svg" || fail "mse-power.svg is not an SVG"
  echo "ok: PNG and SVG drawn"
fi
[ -f "$tmp/mse/mse-power.gp" ] || fail "no gnuplot script"
ls "$tmp/mse" | grep -q '\.tmp$' && fail "temporary files left behind"

# Without gnuplot: a warning, data and script still written.
AIRTP_GNUPLOT= "$AIRTP" experiment mse-power --smoke -q --out "$tmp/nogp" 2> "$tmp/nogp.err" > /dev/null
grep -q "gnuplot not found" "$tmp/nogp.err" || { cat "$tmp/nogp.err"; fail "no warning without gnuplot"; }
[ -f "$tmp/nogp/mse-power.csv" ] && [ ! -f "$tmp/nogp/mse-power.png" ] || fail "wrong files without gnuplot"
echo "ok: missing gnuplot -> warning, data only"

# Parameters: a config file and flags override the defaults; typos are errors naming the key.
echo '{"tx_power_dbm": [5], "realizations": 2, "randomizations": 5, "_note": "comment"}' > "$tmp/cfg.json"
"$AIRTP" experiment mse-power --config "$tmp/cfg.json" --set devices=2 -q --no-plot --out "$tmp/cfg" > /dev/null
$PY -c 'import json,sys; p=json.load(open(sys.argv[1]))["params"]; assert p["tx_power_dbm"]==[5] and p["devices"]==2 and p["realizations"]==2, p' \
  "$tmp/cfg/mse-power.json" || fail "config/flag layering"
set +e
"$AIRTP" experiment mse-power --smoke --set realisations=3 --out "$tmp/x" > /dev/null 2> "$tmp/typo.err"; rc=$?
"$AIRTP" experiment no-such-thing > /dev/null 2> "$tmp/name.err"; rc2=$?
set -e
[ $rc -ne 0 ] && grep -q "unknown parameter 'realisations'" "$tmp/typo.err" || { cat "$tmp/typo.err"; fail "typo not reported"; }
[ $rc2 -ne 0 ] && grep -q "unknown experiment" "$tmp/name.err" || fail "unknown experiment not reported"
echo "ok: parameter layering and errors"

# An interrupted run never damages the previous results: they are only replaced, atomically, at the end.
before=$(md5sum "$tmp/mse/mse-power.csv" "$tmp/mse/mse-power.json")
"$AIRTP" experiment mse-power --realizations 100000 --randomizations 200 -q --out "$tmp/mse" > /dev/null 2>&1 &
pid=$!
sleep 2
kill -TERM $pid 2> /dev/null || true  # (SIGINT is ignored by background jobs of a script)
wait $pid 2> /dev/null || true
[ "$before" = "$(md5sum "$tmp/mse/mse-power.csv" "$tmp/mse/mse-power.json")" ] || fail "interrupted run changed the results"
ls "$tmp/mse" | grep -q '\.tmp$' && fail "interrupted run left temporary files"
echo "ok: interrupted run left the previous results intact"
ls -A "$tmp/mse" | grep -q '^\.airtp-staging' && fail "interrupted run left its staging directory"

# A staging directory of a run that was killed outright (its process is gone) is cleared by the
# next run; the new set replaces the old one whole: files the old set had and the new one does
# not (figures, with --no-plot) are removed, not left beside it.
true & dead=$!; wait $dead
mkdir "$tmp/mse/.airtp-staging-$dead-abcdef" && touch "$tmp/mse/.airtp-staging-$dead-abcdef/x.csv"
touch "$tmp/mse/mse-power.png"  # as if the previous set had drawn the figure
"$AIRTP" experiment mse-power --smoke --no-plot -q --out "$tmp/mse" > /dev/null 2>&1 || fail "rerun"
ls -A "$tmp/mse" | grep -q '^\.airtp-staging' && fail "a dead run's staging directory was not cleared"
[ -e "$tmp/mse/mse-power.png" ] && fail "the old figure was left beside a set that has none"
$PY -c 'import json,sys; f=json.load(open(sys.argv[1]))["files"]; assert "mse-power.png" not in f and "mse-power.csv" in f, f' \
  "$tmp/mse/mse-power.json" || fail "files list of the new set"
echo "ok: result sets replace each other whole"

# Killed while gnuplot draws: gnuplot ends with airtp, the staging directory goes, the previous
# set stays. (A stand-in gnuplot that records its pid and hangs.)
cat > "$tmp/slow-gnuplot" <<SH
#!/bin/sh
echo \$\$ > "$tmp/gnuplot.pid"
exec sleep 60
SH
chmod +x "$tmp/slow-gnuplot"
before=$(md5sum "$tmp/mse/mse-power.csv" "$tmp/mse/mse-power.json")
AIRTP_GNUPLOT="$tmp/slow-gnuplot" "$AIRTP" experiment mse-power --smoke -q --out "$tmp/mse" > /dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$tmp/gnuplot.pid" ] && break; sleep 0.1; done
[ -s "$tmp/gnuplot.pid" ] || fail "the stand-in gnuplot did not start"
ls -A "$tmp/mse" | grep -q '^\.airtp-staging' || fail "no staging directory while drawing"
kill -TERM $pid; wait $pid 2> /dev/null || true
sleep 0.5
# (dead means gone or a zombie: an orphan is reaped by init whenever init gets to it)
state=$(ps -o stat= -p "$(cat "$tmp/gnuplot.pid")" 2> /dev/null || true)
case "$state" in ""|Z*) ;; *) fail "gnuplot kept running after airtp was killed (state $state)" ;; esac
ls -A "$tmp/mse" | grep -q '^\.airtp-staging' && fail "killed run left its staging directory"
[ "$before" = "$(md5sum "$tmp/mse/mse-power.csv" "$tmp/mse/mse-power.json")" ] || fail "killed run changed the results"
echo "ok: a run killed while drawing ends gnuplot and leaves the previous set"
