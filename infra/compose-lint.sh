#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine and prints the normalized model, as
# `docker compose config` does. With a docker compose plugin it runs exactly that; otherwise it
# builds infra/compose-lint (a small Go program around compose-spec/compose-go, the loader inside
# Docker Compose) once into .cache/compose-lint and runs it.
#
#   bash infra/compose-lint.sh [--format yaml|json] [-q]   validate; print the model (or only validate)
#   bash infra/compose-lint.sh --build-only                build the Go linter if stale (CI warms it)
#   bash infra/compose-lint.sh --engine                    print what would run: docker, go or none
#
# Env: COMPOSE_LINT_ENGINE=docker|go forces one. SUYUAN_ADMIN_KEY, which the file requires, is set
# to a placeholder when unset (set it empty to see the file refuse it).
# Exit status: 0 valid, 1 invalid (the loader's message on stderr), 2 bad usage, 3 no engine.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SRC="$HERE/compose-lint"
CACHE="$ROOT/.cache/compose-lint"
BIN="$CACHE/compose-lint"
COMPOSE_FILE_PATH="$ROOT/docker-compose.yml"

log() { echo "compose-lint.sh: $*" >&2; }

engine() {
  case "${COMPOSE_LINT_ENGINE:-}" in
    docker | go) echo "$COMPOSE_LINT_ENGINE"; return ;;
    '') ;;
    *) log "COMPOSE_LINT_ENGINE=$COMPOSE_LINT_ENGINE: expected docker or go"; exit 2 ;;
  esac
  if command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then
    echo docker
  elif command -v go >/dev/null; then
    echo go
  else
    echo none
  fi
}

# Rebuilds only when the sources or the Go version change. The module and build caches live in
# .cache/compose-lint too (git-ignored; -modcacherw keeps them removable with rm -rf).
build() {
  local stamp
  stamp="$(cat "$SRC/go.mod" "$SRC/go.sum" "$SRC/main.go" <(go version) | sha256sum | cut -d' ' -f1)"
  if [[ -x "$BIN" && -f "$BIN.stamp" && "$(cat "$BIN.stamp")" == "$stamp" ]]; then return; fi
  log "building $BIN with $(go version | cut -d' ' -f3) (modules from ${GOPROXY:-the Go module proxy})"
  mkdir -p "$CACHE"
  local started=$SECONDS
  (
    cd "$SRC"
    GOMODCACHE="$CACHE/gomod" GOCACHE="$CACHE/gocache" GOFLAGS="${GOFLAGS:-} -modcacherw -mod=readonly" \
      go build -trimpath -o "$BIN.tmp" .
  )
  mv "$BIN.tmp" "$BIN"
  echo "$stamp" >"$BIN.stamp"
  log "built in $((SECONDS - started)) s"
}

format=yaml
quiet=false
build_only=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --format) format="${2:-}"; shift 2 ;;
    --format=*) format="${1#--format=}"; shift ;;
    -q | --quiet) quiet=true; shift ;;
    --build-only) build_only=true; shift ;;
    --engine) engine; exit 0 ;;
    *) log "unknown argument: $1"; exit 2 ;;
  esac
done
[[ "$format" == yaml || "$format" == json ]] || { log "--format: expected yaml or json"; exit 2; }

which_engine="$(engine)"
if [[ "$which_engine" == none ]]; then
  log "needs a docker compose plugin or Go (https://go.dev/dl/) to validate $COMPOSE_FILE_PATH"
  exit 3
fi
if $build_only; then
  if [[ "$which_engine" == go ]]; then build; else log "docker compose is present: nothing to build"; fi
  exit 0
fi

export SUYUAN_ADMIN_KEY="${SUYUAN_ADMIN_KEY-compose-lint-placeholder-admin-key}"
quiet_flag=()
if $quiet; then quiet_flag=(-q); fi
if [[ "$which_engine" == docker ]]; then
  exec docker compose -f "$COMPOSE_FILE_PATH" --project-directory "$ROOT" config --format "$format" "${quiet_flag[@]}"
fi
build
exec "$BIN" -f "$COMPOSE_FILE_PATH" --project-directory "$ROOT" --format "$format" "${quiet_flag[@]}"
