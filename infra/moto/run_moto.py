"""Runs moto_server (DynamoDB, SQS, Secrets Manager) on 127.0.0.1 for the local stack and tests.

Usage: python run_moto.py [PORT]   (PORT 0, the default, picks a free port)

Prints "moto listening on http://127.0.0.1:PORT" once ready, then serves until its standard input
closes, so it never outlives the process that started it.
"""

import sys

from moto.server import ThreadedMotoServer


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
