#!/usr/bin/env bash
# Runs a real Apache Kafka broker as a single KRaft node (broker+controller) on 127.0.0.1,
# from jars that Maven resolves into infra/kafka/.cache/lib (see pom.xml). No Docker needed.
#
#   infra/kafka/kafka.sh start    fetch jars if absent, format storage once, start, wait until ready
#                                 (concurrent starts on one state dir wait for each other)
#   infra/kafka/kafka.sh stop     SIGTERM, wait, SIGKILL after a bound
#   infra/kafka/kafka.sh status   exit 0 and print the address if running and answering
#   infra/kafka/kafka.sh check    exit 0 if `start` can run here; else exit 1 and say what is missing
#   infra/kafka/kafka.sh fetch    only resolve the jars (once; needs Maven)
#
# Java is $JAVA_HOME/bin/java when JAVA_HOME is set, else `java` on the PATH (as Kafka's own
# scripts and Maven choose it).
# Env: KAFKA_PORT (19092), KAFKA_CONTROLLER_PORT (19093), KAFKA_HEAP (-Xmx512m),
#      KAFKA_START_TIMEOUT (60 s), KAFKA_STOP_TIMEOUT (30 s),
#      KAFKA_STATE_DIR (infra/kafka/.cache): where data, config, pid and log files live. A second
#      broker (e.g. for a fault test) takes its own KAFKA_STATE_DIR and ports; the jars are shared.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CACHE="$HERE/.cache"
LIB="$CACHE/lib"
STATE="${KAFKA_STATE_DIR:-$CACHE}"
case "$STATE" in /*) ;; *) STATE="$PWD/$STATE" ;; esac
DATA="$STATE/data"
CONF="$STATE/server.properties"
PIDFILE="$STATE/kafka.pid"
LOGFILE="$STATE/kafka.log"
HOST=127.0.0.1
PORT="${KAFKA_PORT:-19092}"
CPORT="${KAFKA_CONTROLLER_PORT:-19093}"
HEAP="${KAFKA_HEAP:--Xmx512m}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/java}"
JAVA="${JAVA:-java}"

log() { echo "kafka.sh: $*" >&2; }

java_cmd() {
  "$JAVA" $HEAP -Xms64m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$HERE/log4j2.properties" -Dlog4j2.shutdownHookEnabled=false \
    -cp "$LIB/*" "$@"
}

# The stamp records the POM it was made from, so a version bump re-resolves.
jars_current() {
  [[ -f "$LIB/.complete" && "$(cat "$LIB/.complete")" == "$(sha256sum "$HERE/pom.xml" | cut -d' ' -f1)" ]]
}

resolve_jars() {
  if jars_current; then return; fi
  local sum; sum="$(sha256sum "$HERE/pom.xml" | cut -d' ' -f1)"
  log "resolving Kafka jars with Maven into $LIB"
  rm -rf "$LIB"; mkdir -p "$LIB"
  mvn -q -B -Dstyle.color=never -f "$HERE/pom.xml" dependency:copy-dependencies >&2
  echo "$sum" > "$LIB/.complete"
}

write_config() {
  mkdir -p "$DATA"
  cat > "$CONF" <<PROPS
# Written by infra/kafka/kafka.sh; overwritten on every start.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$HOST:$CPORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CPORT
advertised.listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CPORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DATA
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# Lets consumers keep short sessions (Suyuan asks for 3 s), so that a member that died is replaced
# within seconds; a stock broker's minimum is 6 s (services/common/log/kafka-group-timings.ts).
group.min.session.timeout.ms=1000
auto.create.topics.enable=true
delete.topic.enable=true
log.retention.hours=24
PROPS
}

format_storage() {
  if [[ -f "$DATA/meta.properties" ]]; then return; fi
  local id; id="$(java_cmd kafka.tools.StorageTool random-uuid | tail -n1)"
  log "formatting storage in $DATA (cluster id $id)"
  java_cmd kafka.tools.StorageTool format -t "$id" -c "$CONF" --standalone >>"$LOGFILE" 2>&1 \
    || { log "storage format failed; see $LOGFILE"; tail -n 20 "$LOGFILE" >&2; exit 1; }
}

running_pid() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid; pid="$(cat "$PIDFILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

# A real round trip through the Kafka protocol, with the kafkajs the project already installs.
admin_ok() {
  (cd "$ROOT" && KAFKA_BROKER="$HOST:$PORT" timeout 20 node -e '
    const { Kafka, logLevel } = require("kafkajs");
    const admin = new Kafka({ clientId: "kafka-sh", brokers: [process.env.KAFKA_BROKER],
      logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 3000 }).admin();
    admin.connect().then(() => admin.listTopics()).then(
      () => admin.disconnect().then(() => process.exit(0)),
      () => process.exit(1));
  ') >/dev/null 2>&1
}

ready() { port_open && admin_ok; }

# The major version of $JAVA (8 for "1.8.0_392", 17 for "17.0.15"), or nothing if it does not run.
java_major() {
  local version
  version="$("$JAVA" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n1)" || return 0
  version="${version#1.}"
  echo "${version%%[._-]*}"
}

# What `start` needs: Java 17+, and Maven unless the jars are already here. Says what is missing.
check() {
  local major
  if ! command -v "$JAVA" >/dev/null; then
    if [[ -n "${JAVA_HOME:-}" ]]; then echo "JAVA_HOME=$JAVA_HOME has no bin/java"
    else echo "no java on the PATH"; fi
    return 1
  fi
  major="$(java_major)"
  if [[ -z "$major" ]] || (( major < 17 )); then
    echo "$JAVA is Java ${major:-of an unknown version}; Kafka needs 17 or later"; return 1
  fi
  if jars_current; then echo "ok"; return 0; fi
  if ! command -v mvn >/dev/null; then echo "no mvn on the PATH to fetch the Kafka jars"; return 1; fi
  if ! mvn -v >/dev/null 2>&1; then
    echo "mvn does not run: $(mvn -v 2>&1 | head -n1)"; return 1
  fi
  echo "ok"
}

start() {
  mkdir -p "$CACHE" "$STATE"
  # One start at a time per state dir: a second caller waits, then finds the broker running.
  exec 9>"$STATE/start.lock"
  flock 9
  if pid="$(running_pid)"; then
    if wait_ready "$pid"; then echo "kafka ready on $HOST:$PORT"; return 0; fi
    exit 1
  fi
  rm -f "$PIDFILE"
  if port_open; then log "port $HOST:$PORT is already taken by another process"; exit 1; fi
  local missing
  missing="$(check)" || { log "cannot start a broker: $missing"; exit 1; }
  resolve_jars
  write_config
  format_storage
  log "starting broker (log: $LOGFILE)"
  # exec, so that $! is the JVM itself and not a subshell wrapping it.
  ( exec "$JAVA" $HEAP -Xms64m -XX:+UseG1GC -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$HERE/log4j2.properties" -Dlog4j2.shutdownHookEnabled=false \
      -cp "$LIB/*" kafka.Kafka "$CONF" ) >>"$LOGFILE" 2>&1 </dev/null 9>&- &
  echo $! > "$PIDFILE"
  if wait_ready "$!"; then echo "kafka ready on $HOST:$PORT"; return 0; fi
  exit 1
}

wait_ready() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
  while (( SECONDS < deadline )); do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "broker exited during start-up; last lines of $LOGFILE:"; tail -n 30 "$LOGFILE" >&2
      rm -f "$PIDFILE"; return 1
    fi
    if ready; then return 0; fi
    sleep 1
  done
  log "broker not ready after ${START_TIMEOUT}s; last lines of $LOGFILE:"; tail -n 30 "$LOGFILE" >&2
  return 1
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then rm -f "$PIDFILE"; echo "kafka not running"; return 0; fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    log "broker did not stop within ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
  echo "kafka stopped"
}

status() {
  local pid
  if pid="$(running_pid)" && ready; then echo "kafka running (pid $pid) on $HOST:$PORT"; return 0; fi
  if [[ -n "${pid:-}" ]]; then echo "kafka process $pid up but not answering on $HOST:$PORT"; return 1; fi
  echo "kafka not running"; return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  check) check ;;
  fetch) mkdir -p "$CACHE"; resolve_jars ;;
  *) echo "usage: $0 start|stop|status|check|fetch" >&2; exit 2 ;;
esac
