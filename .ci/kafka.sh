#!/usr/bin/env bash
# A real Apache Kafka 3.9.1 broker for the integration tests, the same way on CI and on a new machine (no Docker, no
# Kafka package). Subcommands:
#   fetch                       download the broker's jars with Maven into $KAFKA_HOME/libs (idempotent)
#   start DIR PORT CTRL_PORT    single-node KRaft broker with its config, data, pid and log in DIR; returns once the
#                               broker logs "Kafka Server started", or fails with the log tail
#   run DIR PORT CTRL_PORT      the same broker in the foreground (exec, log on stdout), for a supervisor that owns
#                               the process and decides readiness itself: the integration tests' test/support/kafka.ts
#   stop DIR                    SIGTERM the broker started in DIR, SIGKILL after a deadline
# Environment: KAFKA_HOME (default ~/.cache/stormcell/kafka-3.9.1), JAVA and MVN (default: java and mvn
# on PATH), KAFKA_START_TIMEOUT (seconds, default 60), KAFKA_STOP_TIMEOUT (seconds, default 20).
set -euo pipefail

KAFKA_VERSION=3.9.1
SCALA_VERSION=2.13
KAFKA_HOME="${KAFKA_HOME:-$HOME/.cache/stormcell/kafka-$KAFKA_VERSION}"
LIBS="$KAFKA_HOME/libs"
JAVA="${JAVA:-java}"
MVN="${MVN:-mvn}"
# The jar that proves a fetch finished: the broker's own jar is copied with its dependencies into a staging dir
# that is renamed to libs only after Maven succeeded.
MARKER="$LIBS/kafka_$SCALA_VERSION-$KAFKA_VERSION.jar"

log() { printf '[kafka.sh] %s\n' "$*" >&2; }
die() { printf '[kafka.sh] error: %s\n' "$*" >&2; exit 1; }
usage() { die "usage: $0 fetch | start DIR PORT CTRL_PORT | run DIR PORT CTRL_PORT | stop DIR"; }

cmd_fetch() {
  if [ -f "$MARKER" ]; then
    log "Kafka $KAFKA_VERSION jars already in $LIBS"
    return 0
  fi
  command -v "$MVN" >/dev/null 2>&1 || die "$MVN (Maven) is not installed; it is needed once to download Kafka's jars"
  command -v "$JAVA" >/dev/null 2>&1 || die "$JAVA is not installed; Kafka $KAFKA_VERSION needs Java 17"
  # Test files run in parallel and each may call fetch: one downloads, the others wait and then find the jars.
  mkdir -p "$KAFKA_HOME"
  exec 9>"$KAFKA_HOME/fetch.lock"
  flock 9
  if [ -f "$MARKER" ]; then
    log "Kafka $KAFKA_VERSION jars already in $LIBS (fetched while we waited)"
    return 0
  fi
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/stormcell-kafka-fetch.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
  # Without a logging backend the broker logs nothing (slf4j falls back to NOP), and "Kafka Server started" in the
  # log is how start knows it is up: reload4j is the backend Kafka 3.x ships in its own distribution.
  cat >"$WORK/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>stormcell.ci</groupId>
  <artifactId>kafka-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_$SCALA_VERSION</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-reload4j</artifactId>
      <version>1.7.36</version>
    </dependency>
    <dependency>
      <groupId>ch.qos.reload4j</groupId>
      <artifactId>reload4j</artifactId>
      <version>1.2.25</version>
    </dependency>
  </dependencies>
</project>
POM
  # A sibling staging dir renamed at the end: an interrupted fetch never leaves a half-filled libs dir behind that
  # a later fetch would take for complete.
  local staging="$KAFKA_HOME/libs.partial"
  rm -rf "$staging"
  log "downloading org.apache.kafka:kafka_$SCALA_VERSION:$KAFKA_VERSION and its runtime dependencies with Maven into $LIBS"
  if ! "$MVN" -q -B -Dstyle.color=never -f "$WORK/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$staging"; then
    rm -rf "$staging"
    die "mvn dependency:copy-dependencies failed for org.apache.kafka:kafka_$SCALA_VERSION:$KAFKA_VERSION (is Maven Central reachable?)"
  fi
  [ -f "$staging/kafka_$SCALA_VERSION-$KAFKA_VERSION.jar" ] \
    || die "Maven succeeded but $staging has no kafka_$SCALA_VERSION-$KAFKA_VERSION.jar"
  rm -rf "$LIBS"
  mv "$staging" "$LIBS"
  log "$(find "$LIBS" -name '*.jar' | wc -l) jars in $LIBS"
}

require_libs() {
  [ -f "$MARKER" ] || die "no Kafka $KAFKA_VERSION jars in $LIBS; run '$0 fetch' first"
  command -v "$JAVA" >/dev/null 2>&1 || die "$JAVA is not installed; Kafka $KAFKA_VERSION needs Java 17"
}

is_port() {
  [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le 65535 ]
}

# Checks the arguments, writes DIR/server.properties and DIR/log4j.properties, and formats DIR/data on first use.
# Sets DIR (made absolute), PORT and JAVA_OPTS for the caller.
prepare() {
  [ "$#" -eq 3 ] || usage
  DIR="$1"
  PORT="$2"
  local ctrl_port="$3"
  is_port "$PORT" || die "PORT must be a TCP port number, got '$PORT'"
  is_port "$ctrl_port" || die "CTRL_PORT must be a TCP port number, got '$ctrl_port'"
  [ "$PORT" != "$ctrl_port" ] || die "PORT and CTRL_PORT must differ, both are $PORT"
  require_libs
  mkdir -p "$DIR"
  DIR="$(cd "$DIR" && pwd)"
  if [ -f "$DIR/kafka.pid" ] && kill -0 "$(cat "$DIR/kafka.pid")" 2>/dev/null; then
    die "a broker from $DIR is already running (pid $(cat "$DIR/kafka.pid"))"
  fi
  # Written on every start, so a restart on the same DIR may move to other ports; the data in DIR/data stays.
  cat >"$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$ctrl_port
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$ctrl_port
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$DIR/data
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
# Retention checks every second from the first second (defaults: every 5 minutes, first after 30 s), so tests
# can watch a topic's low watermark move.
log.initial.task.delay.ms=1000
log.retention.check.interval.ms=1000
# After a SIGKILL the controller refuses the restarted broker until the old registration's session expires
# (default 9 s, plus the broker's retry backoff: ~14 s); heartbeats stay well inside the shorter session.
broker.heartbeat.interval.ms=500
broker.session.timeout.ms=3000
PROPS
  # The log goes to stdout: start redirects it to DIR/kafka.log, run leaves it to the supervisor. One stream keeps
  # the JVM's own errors (a bad option, out of memory), which bypass log4j, next to the broker's log lines.
  cat >"$DIR/log4j.properties" <<LOG4J
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.request.logger=WARN
LOG4J
  JAVA_OPTS=(-Xms256m -Xmx512m "-Dlog4j.configuration=file:$DIR/log4j.properties")
  if [ ! -f "$DIR/data/meta.properties" ]; then
    local cluster_id
    cluster_id="$("$JAVA" -cp "$LIBS/*" kafka.tools.StorageTool random-uuid 2>>"$DIR/format.log")"
    "$JAVA" "${JAVA_OPTS[@]}" -cp "$LIBS/*" kafka.tools.StorageTool format -t "$cluster_id" -c "$DIR/server.properties" \
      >>"$DIR/format.log" 2>&1 || die "formatting storage in $DIR/data failed: $(tail -n 20 "$DIR/format.log")"
    log "formatted $DIR/data (cluster id $cluster_id)"
  fi
}

cmd_start() {
  prepare "$@"
  local pidfile="$DIR/kafka.pid" logfile="$DIR/kafka.log"
  local timeout="${KAFKA_START_TIMEOUT:-60}"
  # Where this start begins in the log, so a "Kafka Server started" from before a restart does not count.
  local from=1
  if [ -f "$logfile" ]; then from=$(($(wc -l <"$logfile") + 1)); fi
  nohup "$JAVA" "${JAVA_OPTS[@]}" -cp "$LIBS/*" kafka.Kafka "$DIR/server.properties" >>"$logfile" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$pidfile"
  local deadline=$((SECONDS + timeout))
  until tail -n "+$from" "$logfile" 2>/dev/null | grep -q 'Kafka Server started'; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pidfile"
      log "the broker exited during startup; last lines of $logfile:"
      tail -n 40 "$logfile" >&2 || true
      die "start: Kafka on 127.0.0.1:$PORT (dir $DIR) exited before it started"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "no 'Kafka Server started' within ${timeout}s; last lines of $logfile:"
      tail -n 40 "$logfile" >&2 || true
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$pidfile"
      die "start: Kafka on 127.0.0.1:$PORT (dir $DIR) did not start within ${timeout}s"
    fi
    sleep 0.2
  done
  log "Kafka $KAFKA_VERSION started on 127.0.0.1:$PORT (pid $pid, dir $DIR, log $logfile)"
}

cmd_run() {
  prepare "$@"
  echo "$$" >"$DIR/kafka.pid"
  # exec keeps the pid: the supervisor's signals reach the JVM itself, and the pid file stays right for stop.
  exec "$JAVA" "${JAVA_OPTS[@]}" -cp "$LIBS/*" kafka.Kafka "$DIR/server.properties" </dev/null
}

cmd_stop() {
  [ "$#" -eq 1 ] || usage
  local pidfile="$1/kafka.pid"
  if [ ! -f "$pidfile" ]; then
    log "no $pidfile: nothing to stop"
    return 0
  fi
  local pid
  pid="$(cat "$pidfile")"
  if ! kill -0 "$pid" 2>/dev/null; then
    log "broker pid $pid from $1 is not running"
    rm -f "$pidfile"
    return 0
  fi
  kill -TERM "$pid"
  local timeout="${KAFKA_STOP_TIMEOUT:-20}"
  local deadline=$((SECONDS + timeout))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "broker pid $pid still running ${timeout}s after SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      # SIGKILL cannot be refused; wait for the kernel to end it so its ports are free when stop returns.
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
      break
    fi
    sleep 0.2
  done
  rm -f "$pidfile"
  log "stopped broker pid $pid ($1)"
}

[ "$#" -ge 1 ] || usage
sub="$1"
shift
case "$sub" in
  fetch)
    [ "$#" -eq 0 ] || usage
    cmd_fetch
    ;;
  start) cmd_start "$@" ;;
  run) cmd_run "$@" ;;
  stop) cmd_stop "$@" ;;
  *) usage ;;
esac
