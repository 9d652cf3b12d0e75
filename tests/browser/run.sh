#!/usr/bin/env bash
# The integration page in headless Chromium: starts the local stack with the dev scenario played,
# runs page.test.mjs against it (node's test runner, playwright-core driving Debian's
# chromium), then stops the stack. The screenshot lands in target/browser/.
# Usage: tests/browser/run.sh   (make browser-test; make test runs it)
set -euo pipefail
cd "$(dirname "$0")/../.."

TOKEN=browser-check-token
STACK_NAME=browser-check
# shellcheck source=tests/start-stack.sh
source tests/start-stack.sh

API_URL="http://127.0.0.1:$API_PORT" ADMIN_TOKEN=$TOKEN \
  ARTIFACT_DIR="${ARTIFACT_DIR:-${CARGO_TARGET_DIR:-target}/browser}" \
  node --test --test-reporter=spec tests/browser/page.test.mjs
