#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft) for development and tests, run from jars that Maven
# resolves from Maven Central: these machines have no Docker engine. Jars, data and logs live in
# a cache folder outside the repository. See docs/kafka-dev-broker.md.
#
#   bash scripts/kafka.sh start|stop|reset|status
set -euo pipefail

# 4.1.2 is the newest 4.1.x on Maven Central; log4j follows what kafka-server 4.1.2 depends on.
KAFKA_VERSION="${KAFKA_VERSION:-4.1.2}"
SCALA_BINARY_VERSION=2.13
LOG4J_VERSION="${KAFKA_LOG4J_VERSION:-2.25.3}"
DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

HOME_DIR="${KAFKA_HOME_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agreements-kafka}"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
LOG_LEVEL="${KAFKA_LOG_LEVEL:-INFO}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT=30

LIB_DIR="$HOME_DIR/lib"
LIB_MARKER="$LIB_DIR/.resolved"
DATA_DIR="$HOME_DIR/data"
CONFIG_DIR="$HOME_DIR/config"
SERVER_PROPERTIES="$CONFIG_DIR/server.properties"
LOG4J_CONFIG="$CONFIG_DIR/log4j2.xml"
PID_FILE="$HOME_DIR/broker.pid"
LOG_FILE="$HOME_DIR/broker.log"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

say() { echo "[kafka] $*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}

usage() {
  cat >&2 <<EOF
usage: bash scripts/kafka.sh start|stop|reset|status

  start   resolve the jars (first time only), format storage (first time only), start the
          broker on 127.0.0.1:$PORT and wait until it answers
  stop    stop the broker gracefully; topics and messages are kept
  reset   stop the broker and wipe its data (the jars stay)
  status  say whether the broker is running (exit 0) or not (exit 3)

cache folder: $HOME_DIR
env: KAFKA_PORT, KAFKA_CONTROLLER_PORT, KAFKA_HOME_DIR, KAFKA_HEAP_OPTS, KAFKA_LOG_LEVEL,
     KAFKA_START_TIMEOUT, KAFKA_VERSION
EOF
}

valid_port() { [[ "$1" =~ ^[0-9]+$ ]] && ((10#$1 > 0 && 10#$1 < 65536)); }

# Serialises start/stop/reset so two test runs starting the broker at once do not race. The
# broker must not inherit fd 9, or it would hold the lock for as long as it runs.
take_lock() {
  mkdir -p "$HOME_DIR"
  exec 9>"$HOME_DIR/.lock"
  flock -w 180 9 || die "another kafka.sh is still busy with $HOME_DIR (lock $HOME_DIR/.lock)"
}

port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# The pid of our broker, only if that process is still the broker we started (pids get reused).
broker_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  local cmdline
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  [[ "$cmdline" == *"kafka.Kafka $SERVER_PROPERTIES"* ]] || return 1
  echo "$pid"
}

# The client port a running broker was started with (from the config it was given).
running_port() {
  sed -n 's#^listeners=PLAINTEXT://127\.0\.0\.1:\([0-9]*\),.*#\1#p' "$SERVER_PROPERTIES" 2>/dev/null
}

# True when the broker serves metadata and knows its controller: then topics can be created.
# Uses kafkajs from the repository; without it, falls back to the broker's own "started" line.
broker_answers() {
  local port="$1"
  if command -v node >/dev/null 2>&1 && (cd "$REPO_ROOT" && node -e "require.resolve('kafkajs')") >/dev/null 2>&1; then
    (cd "$REPO_ROOT" && node -e '
      const { Kafka, logLevel } = require("kafkajs");
      const kafka = new Kafka({ clientId: "kafka-sh", brokers: [process.argv[1]], logLevel: logLevel.NOTHING,
        connectionTimeout: 1000, requestTimeout: 3000, retry: { retries: 0 } });
      const admin = kafka.admin();
      setTimeout(() => process.exit(1), 5000).unref();
      admin.connect()
        .then(() => admin.listTopics())
        .then(() => admin.describeCluster())
        .then((cluster) => admin.disconnect().then(() => process.exit(cluster.controller === null || cluster.controller < 0 ? 1 : 0)))
        .catch(() => process.exit(1));
    ' "127.0.0.1:$port") >/dev/null 2>&1
  else
    port_open "$port" && grep -q "Kafka Server started" "$LOG_FILE" 2>/dev/null
  fi
}

resolve_jars() {
  local wanted="kafka_${SCALA_BINARY_VERSION}=$KAFKA_VERSION log4j=$LOG4J_VERSION"
  if [[ -f "$LIB_MARKER" && "$(cat "$LIB_MARKER")" == "$wanted" &&
    -f "$LIB_DIR/kafka_${SCALA_BINARY_VERSION}-$KAFKA_VERSION.jar" ]]; then
    say "jars: cached in $LIB_DIR ($wanted)"
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found: Maven is needed once to fetch the Kafka jars from Maven Central"
  say "jars: resolving org.apache.kafka:kafka_${SCALA_BINARY_VERSION}:$KAFKA_VERSION and log4j $LOG4J_VERSION from Maven Central (the first time can take a minute)..."
  local work="$HOME_DIR/maven" started=$SECONDS
  rm -rf "$work" "$LIB_DIR.partial"
  mkdir -p "$work"
  # slf4j-api 1.7.36 comes with Kafka 4.1, so the log4j binding is log4j-slf4j-impl (the slf4j 1.x
  # one); log4j-slf4j2-impl would leave slf4j 1.7 without a binding and the broker log silent.
  cat >"$work/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.agreements</groupId>
  <artifactId>kafka-dev-broker</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_${SCALA_BINARY_VERSION}</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
  </dependencies>
</project>
EOF
  # Debian's Maven 3.8 prints colour codes even with -B -q; the sed drops them.
  if ! mvn -B -q -f "$work/pom.xml" "$DEPENDENCY_PLUGIN:copy-dependencies" \
    -DincludeScope=runtime -DoutputDirectory="$LIB_DIR.partial" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2; then
    rm -rf "$LIB_DIR.partial"
    die "Maven could not resolve the Kafka jars (is Maven Central reachable? see the output above)"
  fi
  [[ -f "$LIB_DIR.partial/kafka_${SCALA_BINARY_VERSION}-$KAFKA_VERSION.jar" ]] ||
    die "Maven finished but kafka_${SCALA_BINARY_VERSION}-$KAFKA_VERSION.jar is missing from $LIB_DIR.partial"
  rm -rf "$LIB_DIR"
  mv "$LIB_DIR.partial" "$LIB_DIR"
  echo "$wanted" >"$LIB_MARKER"
  say "jars: $(find "$LIB_DIR" -name '*.jar' | wc -l) jars in $LIB_DIR ($((SECONDS - started)) s)"
}

write_config() {
  mkdir -p "$CONFIG_DIR" "$DATA_DIR"
  cat >"$SERVER_PROPERTIES" <<EOF
# Written by scripts/kafka.sh at every start; edits here are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA_DIR
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# 50 partitions each (the default) only slow a one-node test broker down at start and first use.
offsets.topic.num.partitions=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.num.partitions=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
  cat >"$LOG4J_CONFIG" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="warn">
  <Appenders>
    <Console name="stdout" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Root level="$LOG_LEVEL"><AppenderRef ref="stdout"/></Root>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Logger name="state.change.logger" level="WARN"/>
  </Loggers>
</Configuration>
EOF
}

format_storage_once() {
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    say "storage: already formatted ($DATA_DIR)"
    return 0
  fi
  local cluster_id
  cluster_id="$("$JAVA" -cp "$LIB_DIR/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
  [[ -n "$cluster_id" ]] || die "could not generate a cluster id with kafka.tools.StorageTool random-uuid"
  say "storage: formatting $DATA_DIR (cluster id $cluster_id)"
  # The tool dumps the whole broker config at INFO: keep that in a file, show it only on failure.
  if ! "$JAVA" -Dlog4j2.configurationFile="$LOG4J_CONFIG" -cp "$LIB_DIR/*" kafka.tools.StorageTool \
    format --standalone -t "$cluster_id" -c "$SERVER_PROPERTIES" >"$HOME_DIR/format.log" 2>&1; then
    tail -n 40 "$HOME_DIR/format.log" >&2
    die "formatting the storage failed (see above, full output in $HOME_DIR/format.log); to start clean: bash scripts/kafka.sh reset"
  fi
  grep '^Formatting' "$HOME_DIR/format.log" | sed 's/^/[kafka] storage: /' >&2 || true
}

fail_start() {
  say "ERROR: $1"
  if [[ -f "$LOG_FILE" ]]; then
    say "last lines of $LOG_FILE:"
    tail -n 40 "$LOG_FILE" >&2
  fi
  say "Look at $LOG_FILE; if the data is broken, wipe it with 'npm run kafka:reset' and start again."
  exit 1
}

cmd_start() {
  valid_port "$PORT" || die "KAFKA_PORT must be a port number, got '$PORT'"
  valid_port "$CONTROLLER_PORT" || die "KAFKA_CONTROLLER_PORT must be a port number, got '$CONTROLLER_PORT'"
  [[ "$PORT" != "$CONTROLLER_PORT" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (Kafka $KAFKA_VERSION needs Java 17 or newer)"
  take_lock

  local pid
  if pid="$(broker_pid)"; then
    local current
    current="$(running_port)"
    if [[ "$current" != "$PORT" ]]; then
      die "a broker from $HOME_DIR is already running (pid $pid) on 127.0.0.1:$current; stop it first (npm run kafka:stop) or use another KAFKA_HOME_DIR"
    fi
    if broker_answers "$PORT"; then
      say "already running (pid $pid) on 127.0.0.1:$PORT"
      echo "KAFKA_BROKERS=127.0.0.1:$PORT"
      return 0
    fi
    say "broker process $pid is up but not answering yet; waiting for it"
  else
    rm -f "$PID_FILE"
    port_open "$PORT" && die "127.0.0.1:$PORT is taken by another process; stop it or choose another port with KAFKA_PORT"
    port_open "$CONTROLLER_PORT" && die "127.0.0.1:$CONTROLLER_PORT is taken by another process; stop it or choose another port with KAFKA_CONTROLLER_PORT"

    resolve_jars
    write_config
    format_storage_once

    [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.previous"
    say "starting Kafka $KAFKA_VERSION on 127.0.0.1:$PORT (controller 127.0.0.1:$CONTROLLER_PORT), log: $LOG_FILE"
    # shellcheck disable=SC2086 # HEAP_OPTS holds several JVM options
    nohup setsid "$JAVA" $HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$LOG4J_CONFIG" \
      -cp "$LIB_DIR/*" kafka.Kafka "$SERVER_PROPERTIES" >"$LOG_FILE" 2>&1 </dev/null 9>&- &
    pid=$!
    echo "$pid" >"$PID_FILE"
  fi

  local started=$SECONDS next_note=10
  while true; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      fail_start "the broker exited during start-up"
    fi
    if port_open "$PORT" && broker_answers "$PORT"; then
      say "ready on 127.0.0.1:$PORT (pid $pid, $((SECONDS - started)) s)"
      echo "KAFKA_BROKERS=127.0.0.1:$PORT"
      return 0
    fi
    if ((SECONDS - started >= START_TIMEOUT)); then
      stop_pid "$pid" >/dev/null 2>&1 || true
      rm -f "$PID_FILE"
      fail_start "the broker did not answer on 127.0.0.1:$PORT within $START_TIMEOUT s (stopped it again)"
    fi
    if ((SECONDS - started >= next_note)); then
      say "waiting for the broker to answer... ($((SECONDS - started)) s)"
      next_note=$((next_note + 10))
    fi
    sleep 1
  done
}

stop_pid() {
  local pid="$1" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= STOP_TIMEOUT * 2)); then
      say "no exit after $STOP_TIMEOUT s; killing pid $pid"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
}

cmd_stop() {
  take_lock
  local pid
  if ! pid="$(broker_pid)"; then
    rm -f "$PID_FILE"
    say "not running"
    return 0
  fi
  say "stopping the broker (pid $pid; data is kept)..."
  local started=$SECONDS
  stop_pid "$pid"
  rm -f "$PID_FILE"
  say "stopped ($((SECONDS - started)) s)"
}

cmd_reset() {
  cmd_stop
  say "wiping $DATA_DIR (jars in $LIB_DIR are kept)"
  rm -rf "$DATA_DIR"
  say "reset done; the next start formats fresh storage"
}

cmd_status() {
  local pid
  if pid="$(broker_pid)"; then
    local port
    port="$(running_port)"
    if broker_answers "$port"; then
      echo "running (pid $pid) on 127.0.0.1:$port; cache folder $HOME_DIR"
      return 0
    fi
    echo "process $pid is up but the broker does not answer on 127.0.0.1:$port (starting, or unhealthy: see $LOG_FILE)"
    return 1
  fi
  echo "not running; cache folder $HOME_DIR"
  return 3
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  reset) cmd_reset ;;
  status) cmd_status ;;
  -h | --help | help) usage ;;
  *)
    usage
    exit 2
    ;;
esac
