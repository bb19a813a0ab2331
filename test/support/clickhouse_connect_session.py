"""Drives a ClickHouse HTTP endpoint with the stock Python client, clickhouse-connect, as a user
would: `get_client()` with its defaults, then queries and inserts. Prints one JSON object that
says what each step answered, for test/integration/tools/store-server/store-server-clients.test.ts to check.

Usage: python clickhouse_connect_session.py URL USER PASSWORD TABLE
"""

import json
import sys
from datetime import datetime, timezone

import clickhouse_connect
from clickhouse_connect.driver.exceptions import DatabaseError

url, username, password, table = sys.argv[1:5]
host, port = url.removeprefix("http://").rsplit(":", 1)


def client(**options):
    return clickhouse_connect.get_client(
        host=host, port=int(port), username=username, password=password, **options
    )


def outcome(step):
    """The step's answer, or the server's error as the client reports it."""
    try:
        return {"ok": step()}
    except DatabaseError as error:
        return {"error": str(error)}


def summary_of(insert):
    return {"written_rows": insert.written_rows, "summary": insert.summary}


# Values a Native body carries as bytes that are not UTF-8 text: multi-byte characters, a zero
# byte, integers whose little-endian bytes are invalid UTF-8, a float.
ROWS = [
    ["溯源 batch", 200, 2.5, datetime(2026, 11, 20, 5, 0, tzinfo=timezone.utc)],
    ["nul\x00byte", 1_000_000, -0.125, datetime(2026, 11, 21, 9, 30, tzinfo=timezone.utc)],
    ["plain", 4_294_967_295, 1e300, datetime(2026, 11, 22, 0, 0, tzinfo=timezone.utc)],
]
COLUMNS = ["id", "n", "value", "at"]

default = client()
gzip_client = client(compress="gzip")
results = {
    "query": outcome(lambda: default.query("SELECT 1 AS one, 'x' AS x").result_rows),
    "create": outcome(
        lambda: default.command(
            f"CREATE TABLE {table} (id String, n UInt32, value Float64, at DateTime64(3, 'UTC'))"
            " ENGINE = MergeTree ORDER BY id"
        )
    ),
    "insert_default": outcome(lambda: summary_of(default.insert(table, ROWS, column_names=COLUMNS))),
    "insert_gzip": outcome(lambda: summary_of(gzip_client.insert(table, ROWS, column_names=COLUMNS))),
    "insert_uncompressed": outcome(
        lambda: summary_of(client(compress=False).insert(table, ROWS, column_names=COLUMNS))
    ),
    "raw_insert_json": outcome(
        lambda: summary_of(
            default.raw_insert(
                table,
                COLUMNS,
                b'{"id":"json row","n":7,"value":0.5,"at":"2026-11-23 00:00:00"}\n',
                fmt="JSONEachRow",
            )
        )
    ),
    "read_back": outcome(
        lambda: [
            [row[0], row[1], row[2], row[3].strftime('%Y-%m-%dT%H:%M:%S')]
            for row in default.query(f"SELECT id, n, value, at FROM {table} ORDER BY id, n").result_rows
        ]
    ),
    "command_summary": outcome(
        lambda: default.command(f"INSERT INTO {table} SELECT 'from select', 1, 1, now64(3) FROM numbers(3)").summary
    ),
}
print(json.dumps(results, ensure_ascii=False, default=str))
