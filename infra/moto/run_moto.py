"""Runs moto_server (DynamoDB, SQS, Secrets Manager) on 127.0.0.1 for the local stack and tests.

Usage: python run_moto.py [PORT]   (PORT 0, the default, picks a free port)

Prints "moto listening on http://127.0.0.1:PORT" once ready, then serves until its standard input
closes, so it never outlives the process that started it.
"""

import copy
import sys
import threading

import moto.dynamodb.models as dynamodb_models
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


# moto's TransactWriteItems also deep-copies every table it touches, so that it can put the copy
# back when a condition fails. That makes a transaction cost grow with the table (about a second
# at 20,000 items) and, in a long burst, grew moto past 24 GB until the kernel killed it. With
# DynamoDB requests one at a time, backing up the items the transaction touches is enough.
class _TablesAsTheyAre:
    @staticmethod
    def deepcopy(value):  # type: ignore[no-untyped-def]
        return value


def _item_key(table, op):  # type: ignore[no-untyped-def]
    if "Item" in op:
        key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
        if table.range_key_attr is not None:
            key[table.range_key_attr] = op["Item"][table.range_key_attr]
        return key
    return op.get("Key")


_transact_write_items = dynamodb_models.DynamoDBBackend.transact_write_items


def _transact_with_item_backups(self, transact_items):  # type: ignore[no-untyped-def]
    backups = []
    for entry in transact_items:
        _, op = next(iter(entry.items()))
        name = op.get("TableName")
        table = self.tables.get(name)
        key = _item_key(table, op) if table is not None else None
        if not key:
            continue
        try:
            current = self.get_item(name, key)
        except Exception:  # noqa: BLE001 (an unknown table fails the transaction itself)
            continue
        saved = copy.deepcopy(current.to_json()["Attributes"]) if current else None
        backups.append((name, key, saved))
    dynamodb_models.copy = _TablesAsTheyAre
    try:
        return _transact_write_items(self, transact_items)
    except Exception:
        for name, key, saved in reversed(backups):
            if saved is None:
                try:
                    self.delete_item(name, key)
                except Exception:  # noqa: BLE001 (nothing was written there)
                    pass
            else:
                self.put_item(name, saved)
        raise
    finally:
        dynamodb_models.copy = copy


dynamodb_models.DynamoDBBackend.transact_write_items = _transact_with_item_backups


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
