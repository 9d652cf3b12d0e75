"""Runs moto_server (DynamoDB, SQS, Secrets Manager) on 127.0.0.1 for the local stack and tests.

Usage: python run_moto.py [PORT]   (PORT 0, the default, picks a free port)

Prints "moto listening on http://127.0.0.1:PORT" once ready, then serves until its standard input
closes, so it never outlives the process that started it.
"""

import sys
import threading

from moto.dynamodb.responses import DynamoHandler
from moto.server import ThreadedMotoServer

# Every DynamoDB request is atomic in AWS. moto serves requests on many threads, and its
# TransactWriteItems backs up a table, applies the writes and, when a condition fails, puts the
# backup back, erasing whatever another request wrote to that table in the meantime. The fault
# suite lost records that way. DynamoDB requests are therefore handled one at a time here (they
# never wait on anything, unlike SQS long polls, so nothing slows down).
_dynamodb = threading.Lock()
_call_action = DynamoHandler.call_action


def _one_at_a_time(self):  # type: ignore[no-untyped-def]
    with _dynamodb:
        return _call_action(self)


DynamoHandler.call_action = _one_at_a_time


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    host, bound = server.get_host_and_port()
    print(f"moto listening on http://{host}:{bound}", flush=True)
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    server.stop()


if __name__ == "__main__":
    main()
