"""Runs moto_server (DynamoDB, SQS, Secrets Manager) on 127.0.0.1 for the local stack and tests.

Usage: python run_moto.py [PORT]   (PORT 0, the default, picks a free port)

Prints "moto listening on http://127.0.0.1:PORT" once ready, then serves until its standard input
closes, so it never outlives the process that started it.
"""

import copy
import logging
import sys
import threading
import time

import moto.backends as moto_backends
import moto.dynamodb.models as dynamodb_models
import moto.sqs.models as sqs_models
from moto.dynamodb.responses import DynamoHandler
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
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

# The table's stream is read under the same lock: a transaction that is cancelled takes its
# stream records out again (below), and moto numbers stream records by their position, so a
# reader that saw them mid-transaction would skip the records written next under the same
# numbers. In DynamoDB a cancelled transaction is never seen on the stream.
_streams_call_action = DynamoDBStreamsHandler.call_action


def _streams_one_at_a_time(self):  # type: ignore[no-untyped-def]
    with _dynamodb:
        return _streams_call_action(self)


DynamoDBStreamsHandler.call_action = _streams_one_at_a_time


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
    # moto applies a transaction's writes one by one and puts the items back when one fails;
    # each of those writes lands in the table's stream. In DynamoDB a cancelled transaction
    # leaves no stream record, so the records it left here are taken out again.
    streams = {}
    for entry in transact_items:
        _, op = next(iter(entry.items()))
        table = self.tables.get(op.get("TableName"))
        if table is not None and table.stream_shard is not None:
            streams[table.name] = (table.stream_shard, len(table.stream_shard.items))
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
        for shard, length in streams.values():
            del shard.items[length:]
        raise
    finally:
        dynamodb_models.copy = copy


dynamodb_models.DynamoDBBackend.transact_write_items = _transact_with_item_backups


# moto's SQS recomputes a queue's attributes, message counts included, for every message it
# sends and every message it hands out, and reads the clock through datetime arithmetic for each
# message it looks at. With thousands of messages in a queue (the 10,000-seat fan-out in
# `make bench`) that made every call cost milliseconds and the run quadratic. The retention
# check reads the one attribute it needs, and the clock is read directly; both give the same
# answers as before.
def _unix_time(dt=None):  # type: ignore[no-untyped-def]
    return time.time() if dt is None else _moto_unix_time(dt)


def _unix_time_millis(dt=None):  # type: ignore[no-untyped-def]
    return _unix_time(dt) * 1000.0


_moto_unix_time = sqs_models.unix_time
sqs_models.unix_time = _unix_time
sqs_models.unix_time_millis = _unix_time_millis


def _within_retention(self, queue_name, message):  # type: ignore[no-untyped-def]
    retention = int(self.get_queue(queue_name).message_retention_period)
    return retention + message.sent_timestamp / 1000 > time.time()


sqs_models.SQSBackend.is_message_valid_based_on_retention_period = _within_retention

# Which service a request is for is looked up in moto's list of service modules, which it reads
# from the disk (a directory listing and a stat per module) on every request. The list does not
# change while the server runs.
_modules = list(moto_backends.list_of_moto_modules())
moto_backends.list_of_moto_modules = lambda: _modules


# The request log (a line per request on standard error) cost about a tenth of moto's time in
# the fan-out benchmark; errors are still logged.
logging.getLogger("werkzeug").setLevel(logging.ERROR)


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
