#!/usr/bin/env bash
# The integration page in headless Chromium: starts the local stack with the dev scenario played,
# runs page.test.mjs against it (node's test runner, playwright-core driving Debian's
# chromium), then stops the stack. The screenshot lands in target/browser/.
# Usage: tests/browser/run.sh   (make browser-test; make test runs it)
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=${VENV:-.venv}
BIN=${LOCAL_STACK_BIN:-${CARGO_TARGET_DIR:-target}/debug/local-stack}
TOKEN=browser-check-token
LOG=$(mktemp)
free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
API_PORT=$(free_port)
SIM_PORT=$(free_port)

ADMIN_TOKEN=$TOKEN DEV_API_PORT=$API_PORT DEV_SIM_PORT=$SIM_PORT STACK_NAME=browser-check \
  MOTO_PYTHON="$VENV/bin/python" "$BIN" dev >"$LOG" 2>&1 &
STACK=$!
trap 'kill $STACK 2>/dev/null || true; wait $STACK 2>/dev/null || true; rm -f "$LOG"' EXIT

for _ in $(seq 1 240); do
  if grep -q "Scenario finished" "$LOG"; then break; fi
  if ! kill -0 $STACK 2>/dev/null; then cat "$LOG"; echo "the local stack stopped" >&2; exit 1; fi
  sleep 0.5
done
grep -q "Scenario finished" "$LOG" || { cat "$LOG"; echo "the scenario did not finish" >&2; exit 1; }

API_URL="http://127.0.0.1:$API_PORT" ADMIN_TOKEN=$TOKEN \
  ARTIFACT_DIR="${ARTIFACT_DIR:-${CARGO_TARGET_DIR:-target}/browser}" \
  node --test --test-reporter=spec tests/browser/page.test.mjs
