#!/usr/bin/env bash
# Installs openpyxl, a second reader of XLSX files, from PyPI into a venv under .cache/ for
# test/e2e/fsma204.test.ts (the FSMA 204 spreadsheet opened by a library other than the one that
# wrote it). Quick when the pinned version is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

OPENPYXL_VERSION=3.1.5
VENV=.cache/openpyxl/venv

installed="$("$VENV/bin/python" -c 'import openpyxl; print(openpyxl.__version__)' 2>/dev/null || true)"
if [ "$installed" != "$OPENPYXL_VERSION" ]; then
  echo "== installing openpyxl $OPENPYXL_VERSION from PyPI into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "openpyxl==$OPENPYXL_VERSION"
fi
