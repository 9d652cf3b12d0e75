#!/usr/bin/env bash
# Property-based checks of docs/openapi.yaml against the running local stack (schemathesis):
# no answer is a 5xx, and every answer has a documented status, content type and schema.
#
# Starts the local stack with the dev scenario played (so a tenant, contracts, seats, candidates
# and exports exist), runs schemathesis as an admin client, then stops the stack.
# Usage: tests/api-schema/run.sh [extra schemathesis options]   (make api-schema)
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=${VENV:-.venv}
BIN=${LOCAL_STACK_BIN:-${CARGO_TARGET_DIR:-target}/debug/local-stack}
TOKEN=schema-check-token
LOG=$(mktemp)
free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
API_PORT=$(free_port)
SIM_PORT=$(free_port)

ADMIN_TOKEN=$TOKEN DEV_API_PORT=$API_PORT DEV_SIM_PORT=$SIM_PORT STACK_NAME=schema-check \
  MOTO_PYTHON="$VENV/bin/python" "$BIN" dev >"$LOG" 2>&1 &
STACK=$!
trap 'kill $STACK 2>/dev/null || true; wait $STACK 2>/dev/null || true; rm -f "$LOG"' EXIT

# Ready once the scenario has been played.
for _ in $(seq 1 240); do
  if grep -q "Scenario finished" "$LOG"; then break; fi
  if ! kill -0 $STACK 2>/dev/null; then cat "$LOG"; echo "the local stack stopped" >&2; exit 1; fi
  sleep 0.5
done
grep -q "Scenario finished" "$LOG" || { cat "$LOG"; echo "the scenario did not finish" >&2; exit 1; }

"$VENV/bin/st" --config-file tests/api-schema/schemathesis.toml run docs/openapi.yaml \
  --url "http://127.0.0.1:$API_PORT" \
  --header "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --phases examples,fuzzing \
  --max-examples "${SCHEMA_EXAMPLES:-25}" \
  --workers 2 \
  --seed "${SCHEMA_SEED:-20261126}" \
  "$@"
