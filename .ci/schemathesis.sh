#!/usr/bin/env bash
# Fuzzes the HTTP API of a running platform from its own OpenAPI document with Schemathesis:
# every operation, in every phase (examples, coverage, fuzzing, stateful), with valid and invalid
# inputs, must pass every check (all enabled in the schemathesis.toml written below): no 5xx,
# answers as documented, bad input refused, good input taken, 405 with Allow for other methods.
# Prints how many requests were sent, how many server errors came back and how many refusals the
# listed exceptions explained; exits non-zero on any failed check.
#
# Needs Python 3 with venv (Schemathesis comes from PyPI into .cache/) and the npm install.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-30}"
# A failed run prints its seed; SCHEMATHESIS_SEED=<seed> replays the same inputs.
SEED_ARGS=()
if [ -n "${SCHEMATHESIS_SEED:-}" ]; then SEED_ARGS=(--seed "$SCHEMATHESIS_SEED"); fi
WORK=.cache/schemathesis
VENV="$WORK/venv"
ADMIN_KEY=sy_schemathesis-admin-key-0123456789
mkdir -p "$WORK"

if [ "$("$VENV/bin/schemathesis" --version 2>/dev/null || true)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
  echo "== installing schemathesis $SCHEMATHESIS_VERSION from PyPI"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

# Small HTTP helper, so that nothing but Python and Node is needed: http METHOD URL [KEY] [BODY].
http() {
  "$VENV/bin/python" - "$@" <<'PY'
import sys, urllib.request, urllib.error
method, url = sys.argv[1], sys.argv[2]
key = sys.argv[3] if len(sys.argv) > 3 else ''
body = sys.argv[4].encode() if len(sys.argv) > 4 else None
request = urllib.request.Request(url, data=body, method=method)
if key:
    request.add_header('Authorization', f'Bearer {key}')
if body is not None:
    request.add_header('Content-Type', 'application/json')
try:
    with urllib.request.urlopen(request, timeout=5) as response:
        sys.stdout.write(response.read().decode())
except (urllib.error.URLError, OSError) as error:
    sys.stderr.write(f'{method} {url}: {error}\n')
    sys.exit(1)
PY
}

PORT="$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/suyuan-schemathesis-XXXXXX")"
PLATFORM_LOG="$WORK/platform.log"
PLATFORM_PID=""

stop_platform() {
  if [ -n "$PLATFORM_PID" ] && kill -0 "$PLATFORM_PID" 2>/dev/null; then
    kill -TERM "$PLATFORM_PID"
    wait "$PLATFORM_PID" 2>/dev/null || true
  fi
  PLATFORM_PID=""
  rm -rf "$DATA_DIR"
}
trap stop_platform EXIT

echo "== starting the platform on $BASE (data in $DATA_DIR)"
# Webhooks to private addresses stay refused, as in production; the rate limits are lifted so the
# fuzzer reaches the handlers instead of the limiter (its authentication checks send bad keys).
PORT="$PORT" HOST=127.0.0.1 SUYUAN_DATA_DIR="$DATA_DIR" SUYUAN_ADMIN_KEY="$ADMIN_KEY" \
  SUYUAN_WEBHOOK_ALLOW_PRIVATE=false SUYUAN_RATE_LIMIT_MAX=1000000000 \
  SUYUAN_AUTH_FAILURE_LIMIT_MAX=1000000000 SUYUAN_REFUSAL_LIMIT_MAX=1000000000 \
  SUYUAN_CHECKPOINT_INTERVAL_MS=100 LOG_LEVEL=warn \
  node --import tsx services/embedded/main.ts >"$PLATFORM_LOG" 2>&1 &
PLATFORM_PID=$!

ready=false
for _ in $(seq 1 120); do
  if http GET "$BASE/readyz" >/dev/null 2>&1; then ready=true && break; fi
  if ! kill -0 "$PLATFORM_PID" 2>/dev/null; then break; fi
  sleep 0.5
done
if [ "$ready" != true ]; then
  echo "!! the platform did not become ready:" && cat "$PLATFORM_LOG" && exit 1
fi

# A regulator that also submits reaches every handler but the admin's; the admin's routes get a
# run of their own with the admin key.
FUZZER_KEY="$(http POST "$BASE/v1/parties" "$ADMIN_KEY" \
  '{"partyId":"schemathesis","name":"Schemathesis fuzzer","roles":["regulator","submitter"]}' |
  "$VENV/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["apiKey"])')"

run_schemathesis() { # NAME KEY [FILTER ARGS...]
  local name=$1 key=$2
  shift 2
  local log="$WORK/$name.log"
  echo "== schemathesis ($name): $BASE/openapi.json (output in $log)"
  local status=0
  fuzz "$name" "$key" "$@" >"$log" 2>&1 || status=$?
  # Hypothesis's optimiser, which Schemathesis feeds each operation's success rate, now and then
  # crashes on its own (an IndexError in its hill climbing, under hypothesis/internal/): a fault of
  # the fuzzer, not an answer of the platform. Such a run, with no failed check, runs once more.
  if [ "$status" -ne 0 ] && ! grep -q '^=* FAILURES =*$' "$log" &&
    grep -q 'hypothesis/internal/conjecture/' "$log"; then
    echo "!! schemathesis ($name) crashed inside Hypothesis, with no failed check; once more:"
    grep -m1 -E '^ *[A-Za-z]+Error: ' "$log" || true
    status=0
    fuzz "$name" "$key" "$@" >"$log" 2>&1 || status=$?
  fi
  # Its own report imitates pytest's closing line ("=== No issues found in 13s ==="), which a log
  # reader takes for a test run that ran nothing, so it stays in the file unless the run failed.
  if [ "$status" -ne 0 ]; then cat "$log"; fi
  return $status
}

fuzz() { # NAME KEY [FILTER ARGS...]
  local name=$1 key=$2
  shift 2
  # Run from the work dir: Schemathesis keeps a cache in the current directory.
  (cd "$WORK" && SCHEMATHESIS_HOOKS=hooks.py ./venv/bin/schemathesis run "$BASE/openapi.json" \
    --header "Authorization: Bearer $key" \
    --phases examples,coverage,fuzzing,stateful \
    --continue-on-failure \
    --max-examples "$MAX_EXAMPLES" \
    --workers 1 \
    --request-timeout 30 \
    --generation-database none \
    --report ndjson --report-ndjson-path "$name.ndjson" \
    --no-color "${SEED_ARGS[@]}" "$@")
}

# Every check runs. The exceptions below are the only ones, each a behaviour the document cannot
# express and not a defect. Schemathesis reads schemathesis.toml from its working directory
# ($WORK); an operation is named by "METHOD /path" (separate include-path and include-method keys
# would select every operation matching either). The checks are chosen here and not with
# `--checks all`: a check named on the command line outranks an operation's own setting, so the
# exceptions would not hold.
cat >"$WORK/schemathesis.toml" <<'TOML'
[checks]
enabled = true

# GET /v1/recalls/mock reads the recall whose id is "mock" (GET /v1/recalls/{recallId}), so a 405
# on /v1/recalls/mock rightly lists GET in Allow. OpenAPI matches the literal path first and so
# counts GET there as undocumented. The Allow check takes no per-operation setting, so this path
# is left out of the undeclared methods that show Allow (OPTIONS) or reach that read (GET); the
# others (PUT, DELETE, PATCH, TRACE, QUERY) still must answer 405.
[[operations]]
include-name = "POST /v1/recalls/mock"
phases.coverage.unexpected-methods = ["PUT", "DELETE", "PATCH", "TRACE", "QUERY"]

# A party's public profile is a setting, never absent while the party exists: DELETE clears it and
# GET then answers 200 with `publicProfile: null`, as for a party that never set one (404 means no
# such party). The use-after-free check expects every DELETE to remove what GET reads.
[[operations]]
include-name = "GET /v1/parties/{partyId}/public-profile"
checks.use_after_free.enabled = false

TOML

# A schema-valid request may still be refused with 400 by a rule JSON Schema cannot state. Such a
# refusal is dropped only when every field it names is refused for one of these reasons (matched
# on the answer's `details`); any other 400 to valid data still fails the run.
cat >"$WORK/hooks.py" <<'HOOKS'
import copy
import json
import re
from datetime import datetime, timezone

import schemathesis

RULES_BEYOND_THE_SCHEMA = {
    'POST /v1/events': [
        # It names a record that does not exist (another party, an event to retract, a recall,
        # a notice): JSON Schema cannot say "an id that exists".
        r'^unknown (party|event|recall|notice) ',
        # A batch listed twice in one list of lines or inputs: uniqueness by a key of objects.
        r'^batch .* is listed twice$',
        # Relative to the server's clock when the event arrives.
        r'^must not be more than 24 hours in the future$',
        # An instant outside the store's range (1900-2299 UTC), whatever its offset: OpenAPI 3.0
        # bounds no date-time, so the field's description states it in words.
        r'^must be between \S+ and \S+, the times the store holds$',
        # Depends on the caller's role: a regulator orders a recall, a producer opens one.
        r'^a recall a regulator opens is ORDERED|^only a regulator orders a recall',
        # A complaint comes only with source COMPLAINT: a rule across two fields.
        r'^only a report whose source is COMPLAINT carries a complaint$',
    ],
    'POST /v1/parties': [
        # The webhook's host is (or resolves to) an address that is not globally reachable
        # unicast, by the IANA special-purpose registries (SSRF): a list of ranges, no pattern.
        r'^webhook host .* is refused: ',
    ],
    'GET /v1/audit': [
        # `until` must be later than `since`: a rule across two parameters.
        r'^must be later than since$',
    ],
    'GET /epcis/events': [
        # A page token is one the server gave (base64url of where a page ends), as an id that
        # exists: the pattern states its form, not that the server made it.
        r'^not a token this server gave$',
    ],
    'POST /v1/warnings/{warningId}/state': [
        # The recall a warning is escalated to must exist: an id that exists.
        r'^names no recall$',
    ],
}


# Rules a document cannot state, kept by the fuzzer's valid data instead: a check digit is
# arithmetic, and OpenAPI 3.0 relates no two parameters. Each operation's document says the rule
# in words and its handler refuses a request that breaks it with a 400 naming the field; the
# fuzzer's schema-valid requests are made to keep it (its invalid ones are left alone), so that
# "schema-valid data is taken" still tests everything else of them.
def gs1_check_digit(digits):
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def with_check_digit(key):
    return key[:-1] + gs1_check_digit(key[:-1]) if re.fullmatch(r'[0-9]{2,}', key) else key


def gtin_check_digit(case):
    gtin = case.path_parameters.get('gtin')
    if isinstance(gtin, str):
        case.path_parameters['gtin'] = with_check_digit(gtin)


def report_format(case):
    # evidence=true comes only with format=json, and a table only with format=csv.
    if case.query.get('evidence') in ('true', True):
        case.query['format'] = 'json'
        case.query.pop('table', None)
    elif case.query.get('table') is not None:
        case.query['format'] = 'csv'


def fsma_selection(case):
    # A product or a lot to export, and `to` later than `from`: a `to` not known to be later
    # (Python's dates start at year 1) is left out.
    if case.query.get('productId') is None and case.query.get('batchId') is None:
        case.query['productId'] = 'P-1'
    if case.query.get('from') is not None and case.query.get('to') is not None:
        start, end = instant(case.query['from']), instant(case.query['to'])
        if start is None or end is None or start >= end:
            del case.query['to']


def instant(value):
    try:
        moment = datetime.fromisoformat(value.upper().replace(' ', 'T'))
    except (AttributeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def with_uscc_check(code):
    # GB 32100-2015: the 18th character tops the weighted sum of the others up to 31.
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS))
    return code[:17] + USCC_ALPHABET[(31 - total % 31) % 31]


def party_identifier_checks(case):
    # A Digital Link GLN's check digit and a 统一社会信用代码's check character.
    identifiers = case.body.get('identifiers') if isinstance(case.body, dict) else None
    for i, identifier in enumerate(identifiers if isinstance(identifiers, list) else []):
        gln = re.fullmatch(r'(https://id\.gs1\.org/41[47]/)([0-9]{13})', str(identifier))
        uscc = re.fullmatch(r'(urn:suyuan:uscc:)([0-9A-HJ-NP-RTUW-Y]{18})', str(identifier))
        if gln:
            identifiers[i] = gln.group(1) + with_check_digit(gln.group(2))
        elif uscc:
            identifiers[i] = uscc.group(1) + with_uscc_check(uscc.group(2))


def documented_event(case):
    # What capture takes of one event beyond what every event has -- the GS1 JSON Schema's rules
    # per event type (if/then, propertyNames: beyond OpenAPI 3.0), CBV values, identifiers the
    # mapping can place -- is no schema's: the valid event sent is the document's own example.
    schemas = case.operation.schema.raw_schema['components']['schemas']
    case.body = copy.deepcopy(schemas['EpcisCaptureEvent']['example'])


KEEP_THE_RULES = {
    'GET /01/{gtin}/10/{lot}': [gtin_check_digit],
    'GET /01/{gtin}/21/{serial}': [gtin_check_digit],
    'GET /v1/recalls/{recallId}/report': [report_format],
    'GET /v1/exports/fsma204': [fsma_selection],
    'POST /epcis/events': [documented_event],
    'POST /v1/parties': [party_identifier_checks],
}


@schemathesis.hook
def map_case(context, case):
    if case.meta is not None and case.meta.generation.mode.is_positive:
        for keep in KEEP_THE_RULES.get(case.operation.label, ()):
            keep(case)
    return case


# Refused on every operation with a body: a member named __proto__ (or constructor holding
# prototype) would reach an object's prototype, and JSON Schema states no rule on member names
# where extension members are open (EPCIS).
ANY_BODY = [r'^must not have a member named __proto__, or constructor holding prototype$']


@schemathesis.hook
def filter_failure(context, failure, case, response):
    rules = RULES_BEYOND_THE_SCHEMA.get(case.operation.label, []) + ANY_BODY
    if failure.code != 'ST202' or response.status_code != 400 or not rules:
        return True
    try:
        messages = [detail['message'] for detail in json.loads(response.content)['details']]
    except (ValueError, KeyError, TypeError):
        return True
    explained = all(any(re.search(rule, message) for rule in rules) for message in messages)
    return not (messages and explained)
HOOKS

failed=0
rm -f "$WORK/regulator.ndjson" "$WORK/admin.ndjson"
run_schemathesis regulator "$FUZZER_KEY" --exclude-path-regex '^/v1/(parties|audit|admin)' || failed=1
run_schemathesis admin "$ADMIN_KEY" --include-path-regex '^/v1/(parties|audit|admin)' || failed=1

# The figures, from the fuzzer's own record of every request and response.
figures=0
"$VENV/bin/python" - "$WORK/regulator.ndjson" "$WORK/admin.ndjson" <<'PY' || figures=1
import json, os, re, sys
requests = server_errors = 0
for path in sys.argv[1:]:
    if not os.path.exists(path):
        sys.exit(f'!! no report at {path}')
    with open(path) as lines:
        for line in lines:
            for case in json.loads(line).get('ScenarioFinished', {}).get('recorder', {}).get('interactions', {}).values():
                requests += 1
                status = (case.get('response') or {}).get('status_code', 0)
                if status >= 500:
                    server_errors += 1
print(f'== schemathesis: {requests} requests sent, {server_errors} server errors')
# What the hooks dropped, from each run's summary: valid data refused by a rule beyond the schema.
dropped = 0
for path in sys.argv[1:]:
    log = path.replace('.ndjson', '.log')
    if os.path.exists(log):
        dropped += sum(int(n) for n in re.findall(r'^Filtered: (\d+)', open(log).read(), re.M))
print(f'== schemathesis: {dropped} refusals of schema-valid requests by a rule the schema cannot state (hooks.py)')
sys.exit(1 if server_errors or requests == 0 else 0)
PY

stop_platform
if [ "$failed" -ne 0 ] || [ "$figures" -ne 0 ]; then
  echo "!! schemathesis found server errors or failed; the platform log: $PLATFORM_LOG"
  grep -E '"level":(50|60)' "$PLATFORM_LOG" | tail -20 || true
  exit 1
fi
