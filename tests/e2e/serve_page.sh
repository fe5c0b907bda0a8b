#!/usr/bin/env bash
# The chat page of `airtp serve` in a real browser: headless Chromium, driven over WebDriver by
# serve_page_driver.py, chats with the bundled model and checks that the reply streams in, the
# cost plot gets one point per token, the settings panel names the run, and Stop aborts a reply
# (the server then cancels its generation), and that a conversation grown past the context is
# answered with its oldest turns left out. AIRTP_SCREENSHOT=FILE saves the page after the
# completed replies as a PNG.
set -euo pipefail
AIRTP=$1; SRC=$2
CHROMIUM=/usr/bin/chromium; CHROMEDRIVER=/usr/bin/chromedriver
MODEL="$SRC/models/airtp-kjv-q8_0.gguf"
if [ ! -x "$CHROMIUM" ] || [ ! -x "$CHROMEDRIVER" ]; then
  echo "serve_page: skipped: needs $CHROMIUM and $CHROMEDRIVER (Debian packages chromium chromium-driver; scripts/install-deps.sh)"
  exit 0
fi
[ -f "$MODEL" ] || { echo "FAIL: the bundled model $MODEL is missing"; exit 1; }

tmp=$(mktemp -d)
server=""; driver=""
# chromedriver runs in a process group of its own (setsid), so the browsers it started go with it
# even if the session was not closed.
cleanup() {
  [ -z "$driver" ] || { kill -- -"$driver" 2>/dev/null || true; wait "$driver" 2>/dev/null || true; }
  [ -z "$server" ] || { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$tmp"/*.log; do echo "--- $f"; tail -20 "$f"; done; exit 1; }

# The printed line "... on port N" (or "http://127.0.0.1:N"), waited for up to 30 s.
port_of() {  # log, pattern
  local i p
  for i in $(seq 300); do
    p=$(grep -oE "$2" "$1" | grep -oE '[0-9]+$' | head -1 || true)
    [ -n "$p" ] && { echo "$p"; return 0; }
    sleep 0.1
  done
  return 1
}

start=$(date +%s)
# Four devices over the air: a lossy scheme (the error panel has points), slow enough per token
# (tens of ms) for Stop to land mid-reply.
DEVICES=4
"$AIRTP" serve -m "$MODEL" --port 0 -t 1 --transport inprocess -D $DEVICES -a aircomp > /dev/null 2> "$tmp/serve.log" &
server=$!
setsid "$CHROMEDRIVER" --port=0 > "$tmp/chromedriver.log" 2>&1 &
driver=$!
port=$(port_of "$tmp/serve.log" 'listening on http://127\.0\.0\.1:[0-9]+') || fail "the server did not start"
grep -q "chat page at /" "$tmp/serve.log" || fail "the listening line does not mention the page"
dport=$(port_of "$tmp/chromedriver.log" 'started successfully on port [0-9]+') || fail "chromedriver did not start"
allreduce=$(sed -n 's/.*all-reduce: \([^,]*\),.*/\1/p' "$tmp/serve.log")

/usr/bin/python3 "$SRC/tests/e2e/serve_page_driver.py" --driver "http://127.0.0.1:$dport" --url "http://127.0.0.1:$port/" \
  --chromium "$CHROMIUM" --profile "$tmp/profile" --devices $DEVICES --allreduce "$allreduce" \
  --message "In the beginning" --message "And God said" ${AIRTP_SCREENSHOT:+--screenshot "$AIRTP_SCREENSHOT"} ||
  fail "the page did not behave (above)"

# The aborted fetch closed the connection: the server stopped generating for it.
for i in $(seq 100); do grep -q "chatcmpl-3: .*cancelled" "$tmp/serve.log" && break; sleep 0.1; done
grep -q "chatcmpl-3: .*cancelled" "$tmp/serve.log" || fail "the server did not cancel the stopped reply"
echo "ok: the server cancelled the stopped reply"
echo "serve_page: all checks passed in $(( $(date +%s) - start )) s"
