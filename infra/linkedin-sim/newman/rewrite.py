"""Writes a copy of LinkedIn's RSC Postman collection aimed at the simulator (used by run.sh).

usage: rewrite.py <collection.json> <out.json>; the values come from the environment run.sh sets.
Hosts become $BASE, the collection's variables get the seeded values, and the placeholders the
collection leaves to the reader (request id, seat id, epoch times) are filled per request.
"""

import json
import os
import re
import sys

HOSTS = ("https://api.linkedin.com", "https://www.linkedin.com")
# Upper bounds of the activity windows get "now", lower bounds 11 hours before (windows are at
# most 12 hours).
UPPER = {"timeRange.end", "beforeDate", "createdDateEnd"}
ELEVEN_HOURS_MS = 11 * 3600 * 1000


def env(name):
    return os.environ[name]


def variables():
    org, contract = env("ORG_ID"), env("CONTRACT_ID")
    return {
        "partner_app_client_id": env("PARTNER_ID"),
        "partner_app_client_secret": env("PARTNER_SECRET"),
        "customer_app_client_id": env("CUSTOMER_ID"),
        "customer_app_client_secret": env("CUSTOMER_SECRET"),
        "org_id": org,
        "contract_id": contract,
        "customer_name": "Simulated Customer",
        "unique_foreign_id": "sim-customer-1",
        "person_id": env("PERSON_ID"),
    }


def fill_epochs(raw):
    now = int(env("NOW_MS"))

    def one(match):
        name = match.group(1)
        value = now if name in UPPER else now - ELEVEN_HOURS_MS
        return f"{name}={value}"

    return re.sub(r"([A-Za-z.]+)=\{\{Epoch in milliseconds\}\}", one, raw)


def rewrite_request(request):
    url = request.get("url")
    raw = url.get("raw", "") if isinstance(url, dict) else (url or "")
    for host in HOSTS:
        raw = raw.replace(host, env("BASE"))
    raw = raw.replace(
        "{{Enter_Request_ID_obtained_from_POST_in_CallbackURL}}", env("REQUEST_ID")
    )
    raw = raw.replace(
        "{{Enter_ID_Value_Present_In_Response_of_Retrieve_Recruiter_Seatholders_API}}",
        env("SEAT_ID"),
    )
    request["url"] = fill_epochs(raw)
    body = request.get("body") or {}
    if isinstance(body.get("raw"), str):
        receiver = f"{env('BASE')}/_sim/receiver/{env('CUSTOMER_ID')}"
        body["raw"] = body["raw"].replace("<https://YourCallbackURL>", receiver)


def walk(items):
    for item in items:
        if "item" in item:
            walk(item["item"])
        elif "request" in item:
            rewrite_request(item["request"])


def main(source, target):
    with open(source, encoding="utf-8") as f:
        collection = json.load(f)
    wanted = variables()
    declared = collection.setdefault("variable", [])
    for var in declared:
        if var.get("key") in wanted:
            var["value"] = wanted.pop(var["key"])
    declared.extend({"key": k, "value": v, "type": "string"} for k, v in wanted.items())
    walk(collection.get("item", []))
    with open(target, "w", encoding="utf-8") as f:
        json.dump(collection, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
