"""Prints newman's JSON report as one line per request (used by run.sh)."""

import json
import sys
from urllib.parse import unquote


def url_text(url):
    if isinstance(url, str):
        return url
    path = "/" + "/".join(url.get("path", []))
    query = "&".join(
        f"{q.get('key')}={q.get('value')}" for q in url.get("query", []) if not q.get("disabled")
    )
    return path + ("?" + query if query else "")


def record_errors(response):
    """How many records a 2xx batch answer refused (its `errors` map), as a note."""
    try:
        body = json.loads(bytes(response.get("stream", {}).get("data", [])).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return ""
    errors = body.get("errors") if isinstance(body, dict) else None
    return f"  ({len(errors)} refused in errors)" if errors else ""


def main(report_path):
    with open(report_path, encoding="utf-8") as f:
        report = json.load(f)
    executions = report["run"]["executions"]
    rows = []
    for e in executions:
        request = e.get("request", {})
        response = e.get("response") or {}
        status = response.get("code")
        if status is None:
            status = "ERR"
        note = record_errors(response) if str(status).startswith("2") else ""
        rows.append((str(status), request.get("method", "?"), e["item"]["name"],
                     unquote(url_text(request.get("url", {}))) + note))
    width = max(len(r[2]) for r in rows) if rows else 10
    print(f"{'status':<6}  {'method':<6}  {'request':<{width}}  url")
    for status, method, name, url in rows:
        short = url if len(url) <= 140 else url[:137] + "..."
        print(f"{status:<6}  {method:<6}  {name:<{width}}  {short}")
    ok = sum(1 for r in rows if r[0].startswith("2"))
    print(f"\n{ok} of {len(rows)} requests answered 2xx")


if __name__ == "__main__":
    main(sys.argv[1])
