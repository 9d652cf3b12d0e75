#!/usr/bin/env bash
# Sourced by the test scripts that need a running local stack (api-schema/, browser/): starts
# `local-stack dev` on free ports, waits until the dev scenario has been played, and stops the
# stack when the calling script exits.
#
# Set before sourcing: TOKEN (the admin token) and STACK_NAME. Sets API_PORT and SIM_PORT.
# The working directory must be the repository root.

VENV=${VENV:-.venv}
BIN=${LOCAL_STACK_BIN:-${CARGO_TARGET_DIR:-target}/debug/local-stack}
STACK_LOG=$(mktemp)
free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
API_PORT=$(free_port)
SIM_PORT=$(free_port)

ADMIN_TOKEN=$TOKEN DEV_API_PORT=$API_PORT DEV_SIM_PORT=$SIM_PORT STACK_NAME=$STACK_NAME \
  MOTO_PYTHON="$VENV/bin/python" "$BIN" dev >"$STACK_LOG" 2>&1 &
STACK_PID=$!
trap 'kill $STACK_PID 2>/dev/null || true; wait $STACK_PID 2>/dev/null || true; rm -f "$STACK_LOG"' EXIT

# Ready once the scenario has been played.
for _ in $(seq 1 240); do
  if grep -q "Scenario finished" "$STACK_LOG"; then break; fi
  if ! kill -0 $STACK_PID 2>/dev/null; then cat "$STACK_LOG"; echo "the local stack stopped" >&2; exit 1; fi
  sleep 0.5
done
grep -q "Scenario finished" "$STACK_LOG" || { cat "$STACK_LOG"; echo "the scenario did not finish" >&2; exit 1; }
