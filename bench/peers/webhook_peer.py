"""The webhook as a team would otherwise write it: a Python 3.11 Lambda with boto3.

It does the work export-webhook does for a notification, the same way: look the tenant up,
read its client secret from Secrets Manager (cached), check X-LI-Signature, parse the
notification, skip one already seen, enqueue it, remember it. `make bench` (bench/src/main.rs)
runs it against the same local Lambda Runtime API, moto and data as the Rust function, to measure
init time, warm CPU per request and peak memory in the same run.

The runtime loop at the bottom is the part AWS's Python runtime would provide; it is a few lines
of urllib so that nothing but boto3 is imported (as in a deployed function, where boto3 comes
with the runtime).
"""

import hashlib
import hmac
import json
import os
import time
import urllib.request

import boto3

TABLE = os.environ["TABLE_NAME"]
QUEUE_URL = os.environ["EXPORTS_QUEUE_URL"]
SECRET_PREFIX = os.environ["SECRET_PREFIX"]
NOTIFICATION_MEMORY_S = 7 * 24 * 3600

# The usual module-level clients: built once per cold start.
dynamodb = boto3.client("dynamodb")
sqs = boto3.client("sqs")
secrets = boto3.client("secretsmanager")
_secret_cache = {}


def _answer(status, body):
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(body),
    }


def _client_secret(tenant):
    cached = _secret_cache.get(tenant)
    if cached and cached[1] > time.time():
        return cached[0]
    value = json.loads(secrets.get_secret_value(SecretId=SECRET_PREFIX + tenant)["SecretString"])
    _secret_cache[tenant] = (value["clientSecret"], time.time() + 300)
    return value["clientSecret"]


def handler(event, _context):
    tenant = (event.get("pathParameters") or {}).get("tenantId", "")
    body = event.get("body") or ""
    raw = body.encode()
    found = dynamodb.get_item(
        TableName=TABLE, Key={"pk": {"S": f"TENANT#{tenant}"}, "sk": {"S": "TENANT"}}
    )
    if "Item" not in found:
        return _answer(404, {"error": "unknown_tenant"})
    secret = _client_secret(tenant)
    given = (event.get("headers") or {}).get("x-li-signature", "")
    expected = hmac.new(secret.encode(), b"hmacsha256=" + raw, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(given.strip().lower(), expected):
        return _answer(401, {"error": "bad_signature"})
    notification = json.loads(body)
    key = {
        "pk": {"S": f"TENANT#{tenant}#NOTIFICATION#{notification['notificationId']}"},
        "sk": {"S": "NOTIFICATION"},
    }
    if "Item" in dynamodb.get_item(TableName=TABLE, Key=key):
        return _answer(200, {"status": "duplicate"})
    now = int(time.time() * 1000)
    message = {
        "tenantId": tenant,
        "notificationId": notification["notificationId"],
        "kind": notification["type"],
        "requestId": notification["requestId"],
        "receivedAt": now,
    }
    sqs.send_message(QueueUrl=QUEUE_URL, MessageBody=json.dumps(message))
    item = dict(key)
    item["seenAt"] = {"N": str(now)}
    item["ttl"] = {"N": str(now // 1000 + NOTIFICATION_MEMORY_S)}
    dynamodb.put_item(TableName=TABLE, Item=item)
    return _answer(202, {"status": "accepted"})


def _runtime_loop():
    api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation"
    while True:
        with urllib.request.urlopen(api + "/next") as resp:
            request_id = resp.headers["Lambda-Runtime-Aws-Request-Id"]
            event = json.loads(resp.read())
        result = handler(event, None)
        post = urllib.request.Request(
            f"{api}/{request_id}/response", data=json.dumps(result).encode(), method="POST"
        )
        urllib.request.urlopen(post).read()


if __name__ == "__main__":
    _runtime_loop()
