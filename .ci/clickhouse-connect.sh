#!/usr/bin/env bash
# Installs the stock Python ClickHouse client, clickhouse-connect, from PyPI into a venv under
# .cache/ for test/integration/tools/store-server/store-server-clients.test.ts (the store server answered as a real
# ClickHouse server answers that client). Quick when the pinned version is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

CLICKHOUSE_CONNECT_VERSION=1.12.0
VENV=.cache/clickhouse-connect/venv

installed="$("$VENV/bin/python" -c 'import clickhouse_connect; print(clickhouse_connect.__version__)' 2>/dev/null || true)"
if [ "$installed" != "$CLICKHOUSE_CONNECT_VERSION" ]; then
  echo "== installing clickhouse-connect $CLICKHOUSE_CONNECT_VERSION from PyPI into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "clickhouse-connect==$CLICKHOUSE_CONNECT_VERSION"
fi
