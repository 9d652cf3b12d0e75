#!/usr/bin/env bash
# Property-based checks of docs/openapi.yaml against the running local stack (schemathesis):
# no answer is a 5xx, and every answer has a documented status, content type and schema.
#
# Starts the local stack with the dev scenario played (so a tenant, contracts, seats, candidates
# and exports exist), runs schemathesis as an admin client, then stops the stack.
# Usage: tests/api-schema/run.sh [extra schemathesis options]   (make api-schema)
set -euo pipefail
cd "$(dirname "$0")/../.."

TOKEN=schema-check-token
STACK_NAME=schema-check
# shellcheck source=tests/start-stack.sh
source tests/start-stack.sh

"$VENV/bin/st" --config-file tests/api-schema/schemathesis.toml run docs/openapi.yaml \
  --url "http://127.0.0.1:$API_PORT" \
  --header "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --phases examples,fuzzing \
  --max-examples "${SCHEMA_EXAMPLES:-25}" \
  --workers 2 \
  --seed "${SCHEMA_SEED:-20261126}" \
  "$@"
