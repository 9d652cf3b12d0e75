#!/usr/bin/env bash
# Runs LinkedIn's own Postman collection for Recruiter System Connect against the simulator and
# prints one line per request with the status the simulator answered.
#
# Usage:
#   infra/linkedin-sim/newman/run.sh [path/to/collection.json]
#
# The collection comes from the argument, else $LINKEDIN_COLLECTION, else the `fetch` mirror of
# github.com/linkedin-developers/recruiter-system-connect-development-tools (file
# "postman-collection/Recruiter System Connect.postman_collection.json" at HEAD). It is never
# copied into the repository: the script rewrites a temporary copy (in a temp dir, removed on
# exit) whose https://api.linkedin.com and https://www.linkedin.com point at the simulator and
# whose variables are filled from what it seeds.
#
# Environment: SIM_PORT (default 3199), NEWMAN_VERSION (default 6), KEEP_TMP=1 keeps the temp dir
# (rewritten collection, newman's JSON report, the simulator's log).
#
# What it does: starts the simulator (`cargo run -p linkedin-sim`), seeds through its /_sim
# control routes a partner app, a customer (child) app whose callback URL is the simulator's own
# receiver, a seat, an export and an integration status change (both with a fixed request id),
# an InMail, a note and a stub inside the activity window, gets both apps' tokens, then runs
# `npx --yes newman@6 run`. Needs cargo, curl, python3 and node/npx (newman is fetched by npx).
# Not part of `make test`: it exercises the simulator against LinkedIn's published requests.
# Requests of resources the simulator does not serve (only /v2/me) answer 404 and are listed
# like the rest.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
port="${SIM_PORT:-3199}"
base="http://127.0.0.1:$port"
mirror=/work/.mirror/linkedin-developers+recruiter-system-connect-development-tools/repo
in_repo="postman-collection/Recruiter System Connect.postman_collection.json"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/linkedin-newman.XXXXXX")"
sim_pid=""
cleanup() {
    if [[ -n "$sim_pid" ]]; then
        kill "$sim_pid" 2>/dev/null || true
        wait "$sim_pid" 2>/dev/null || true
    fi
    if [[ "${KEEP_TMP:-}" == 1 ]]; then
        echo "kept $tmp" >&2
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT

collection="${1:-${LINKEDIN_COLLECTION:-}}"
if [[ -z "$collection" ]]; then
    if [[ -d "$mirror" ]]; then
        git --git-dir="$mirror" show "HEAD:$in_repo" >"$tmp/original.json"
        collection="$tmp/original.json"
    else
        echo "No collection: pass its path, set LINKEDIN_COLLECTION, or fetch the repository" >&2
        echo "linkedin-developers/recruiter-system-connect-development-tools." >&2
        exit 2
    fi
fi
[[ -r "$collection" ]] || { echo "cannot read $collection" >&2; exit 2; }

# Values the collection's variables get, and what is seeded to match them.
ORG_ID=7001
CONTRACT_ID=8001
SEAT_ID=9001
PERSON_ID=rsc-person-1
REQUEST_ID=00000000-0000-4000-8000-000000000001
PARTNER_ID=partner-app
PARTNER_SECRET=partner-secret
CUSTOMER_ID=customer-app
CUSTOMER_SECRET=customer-secret
NOW_MS=$(($(date +%s) * 1000))

echo "building and starting linkedin-sim on port $port..." >&2
(cd "$repo" && cargo build -q -p linkedin-sim)
(cd "$repo" && SIM_PORT="$port" exec cargo run -q -p linkedin-sim) >"$tmp/sim.out" 2>"$tmp/sim.log" &
sim_pid=$!
for _ in $(seq 1 100); do
    grep -q "listening on" "$tmp/sim.out" 2>/dev/null && break
    kill -0 "$sim_pid" 2>/dev/null || { cat "$tmp/sim.log" >&2; exit 1; }
    sleep 0.1
done
grep -q "listening on" "$tmp/sim.out" || { echo "linkedin-sim did not start" >&2; exit 1; }

post() { # post <method> <path> <json>
    curl -fsS -X "$1" -H 'content-type: application/json' --data "$3" "$base$2" >/dev/null
}
org="urn:li:organization:$ORG_ID"
contract="urn:li:contract:$CONTRACT_ID"
seat="urn:li:seat:$SEAT_ID"
person="urn:li:person:$PERSON_ID"
post POST /_sim/partners "{\"clientId\":\"$PARTNER_ID\",\"clientSecret\":\"$PARTNER_SECRET\"}"
post POST /_sim/apps "{\"clientId\":\"$CUSTOMER_ID\",\"clientSecret\":\"$CUSTOMER_SECRET\",\"organization\":\"$org\",\"callbackUrl\":\"$base/_sim/receiver/$CUSTOMER_ID\"}"
post POST /_sim/seats "{\"id\":\"$SEAT_ID\",\"contract\":\"$contract\",\"member\":\"urn:li:person:recruiter-1\",\"firstName\":\"Rita\",\"lastName\":\"Book\"}"
post POST /_sim/exports "{\"clientId\":\"$CUSTOMER_ID\",\"requestId\":\"$REQUEST_ID\",\"contract\":\"$contract\",\"exporter\":\"$seat\",\"atsJobPostingId\":\"TEST_EXTERNAL_JOB_ID_0002\",\"candidate\":{\"member\":\"$person\",\"firstName\":\"John\",\"lastName\":\"Doe\",\"location\":\"Quahog, RI\",\"currentEmployerNames\":[\"Candidate Test Company\"]}}"
post POST /_sim/status-changes "{\"clientId\":\"$CUSTOMER_ID\",\"integrationContext\":\"$contract\",\"status\":\"ENABLED\",\"requestId\":\"$REQUEST_ID\"}"
at=$((NOW_MS - 3600000))
post POST /_sim/inmails "[{\"id\":\"im-1\",\"seat\":\"$seat\",\"member\":\"$person\",\"direction\":\"SENT\",\"subject\":\"Hello\",\"body\":\"A role for you\",\"createdAt\":$at}]"
post PUT /_sim/notes "{\"id\":1,\"contract\":\"$contract\",\"owner\":\"$seat\",\"member\":\"$person\",\"note\":\"Strong profile\",\"created\":$at,\"lastModified\":$at}"
post POST /_sim/stubs "{\"id\":\"stub-1\",\"contract\":\"$contract\",\"owner\":\"$seat\",\"member\":\"$person\",\"firstName\":\"John\",\"lastName\":\"Doe\",\"emailAddress\":\"john@example.com\",\"created\":$at}"

token() { # token <client id> <secret>
    curl -fsS -d grant_type=client_credentials -d "client_id=$1" -d "client_secret=$2" \
        "$base/oauth/v2/accessToken" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
partner_token="$(token "$PARTNER_ID" "$PARTNER_SECRET")"
customer_token="$(token "$CUSTOMER_ID" "$CUSTOMER_SECRET")"

export BASE="$base" ORG_ID CONTRACT_ID SEAT_ID PERSON_ID REQUEST_ID PARTNER_ID PARTNER_SECRET \
    CUSTOMER_ID CUSTOMER_SECRET NOW_MS
python3 "$here/rewrite.py" "$collection" "$tmp/collection.json"

echo "running newman..." >&2
set +e
npx --yes "newman@${NEWMAN_VERSION:-6}" run "$tmp/collection.json" \
    --global-var "partner_access_token=$partner_token" \
    --global-var "customer_access_token=$customer_token" \
    --reporters json --reporter-json-export "$tmp/report.json" >"$tmp/newman.out" 2>&1
newman_rc=$?
set -e
if [[ ! -s "$tmp/report.json" ]]; then
    cat "$tmp/newman.out" >&2
    exit "$newman_rc"
fi
python3 "$here/table.py" "$tmp/report.json"
