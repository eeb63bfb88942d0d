#!/usr/bin/env bash
# services.sh - real Apache Kafka (KRaft, one combined broker+controller) and Apache Cassandra 5.0 on
# 127.0.0.1 for Sluice's integration tests, run from jars that Maven fetches from Maven Central
# (no tarballs, no Docker). Runtime state (jars, data, logs, pid files) lives under .services/.
#
#   services.sh fetch  [kafka|cassandra|all]   copy the jars into .services/<svc>/lib (Maven, ~/.m2 cache)
#   services.sh up     [kafka|cassandra|all]   start what is not already answering; waits until it answers;
#                                              stdout: one line "<svc> started|running|external <host:port>"
#   services.sh down   [kafka|cassandra|connect|all]   stop what this harness started (SIGTERM, then SIGKILL)
#   services.sh status                         one line per service: running / external / stopped
#   services.sh clean  [kafka|cassandra|all]   down + delete data and logs (jars are kept)
#   services.sh logs   kafka|cassandra|connect [-f]   last $LOG_LINES (200) lines of the service log
#   services.sh probe  kafka|cassandra         exit 0 if the service answers at its configured address
#   services.sh up connect | perf [N SIZE TOPIC] | nodetool ARGS...   extras (Kafka Connect standalone,
#                                              Kafka perf tools, Cassandra nodetool)
#
# Environment (all optional):
#   KAFKA_BROKERS            where clients look for Kafka (default 127.0.0.1:$KAFKA_PORT). If a broker
#                            answers there it is used as is and never started or stopped here.
#   KAFKA_PORT               client port of the Kafka started here (default: port of the first
#                            KAFKA_BROKERS entry, else 9092); KAFKA_CONTROLLER_PORT (default KAFKA_PORT+1)
#   KAFKA_HEAP               -Xms/-Xmx of the broker (default 512m)
#   KAFKA_LINE               4 = Kafka 4.1.1 (default), 3 = Kafka 3.9.1 (fallback POM, reload4j logging)
#   CASSANDRA_CONTACT_POINTS where clients look for Cassandra (default 127.0.0.1:$CASSANDRA_PORT);
#                            used as is when it answers CQL.
#   CASSANDRA_PORT           CQL port of the Cassandra started here (default: port of the first contact
#                            point, else 9042); CASSANDRA_STORAGE_PORT (7000), CASSANDRA_JMX_PORT (7199)
#   CASSANDRA_HEAP           -Xms/-Xmx of Cassandra (default 1G)
#   KAFKA_START_TIMEOUT, CASSANDRA_START_TIMEOUT   seconds to wait for an answer (default 120 / 240)
#   SERVICES_DIR             runtime dir (default <repo>/.services); JAVA_HOME picks the JVM (17 wanted)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONF="$ROOT/services"
SVC="${SERVICES_DIR:-$ROOT/.services}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
NODE="${NODE:-node}"
PROBE="$CONF/probe.mjs"
KAFKA_LINE="${KAFKA_LINE:-4}"
KLIB="$SVC/kafka/lib"
[ "$KAFKA_LINE" = 3 ] && KLIB="$SVC/kafka/lib-3.9" # own dir: switching lines never mixes jars
CLIB="$SVC/cassandra/lib"
CLUSTER_ID="${KAFKA_CLUSTER_ID:-MkU3OEVBNTcwNTJENDM2Qg}" # any base64url 16-byte id (22 chars)
LOG_LINES="${LOG_LINES:-200}"

log() { printf '[services] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ------------------------------------------------------------------ addresses
first_entry() { local e="${1%%,*}"; echo "${e// /}"; }
entry_port() { # host:port | host | [v6]:port  ->  port or empty
  case "$1" in
    \[*\]:*) echo "${1##*:}" ;;
    \[*) echo "" ;;
    *:*:*) echo "" ;;
    *:*) echo "${1##*:}" ;;
    *) echo "" ;;
  esac
}
is_local_entry() { # does this address point at this machine's loopback?
  case "$1" in
    127.*|localhost|localhost:*|\[::1\]|\[::1\]:*|::1) return 0 ;;
    *) return 1 ;;
  esac
}
first_port() { local p; p="$(entry_port "$(first_entry "$1")")"; echo "${p:-$2}"; }

KAFKA_PORT="${KAFKA_PORT:-$(first_port "${KAFKA_BROKERS:-}" 9092)}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:$KAFKA_PORT}"
KAFKA_HEAP="${KAFKA_HEAP:-512m}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
CASSANDRA_PORT="${CASSANDRA_PORT:-$(first_port "${CASSANDRA_CONTACT_POINTS:-}" 9042)}"
CASSANDRA_STORAGE_PORT="${CASSANDRA_STORAGE_PORT:-7000}"
CASSANDRA_JMX_PORT="${CASSANDRA_JMX_PORT:-7199}"
CASSANDRA_CONTACT_POINTS="${CASSANDRA_CONTACT_POINTS:-127.0.0.1:$CASSANDRA_PORT}"
CASSANDRA_HEAP="${CASSANDRA_HEAP:-1G}"
CASSANDRA_START_TIMEOUT="${CASSANDRA_START_TIMEOUT:-240}"
STOP_TIMEOUT="${STOP_TIMEOUT:-60}"

addresses_of() { case "$1" in kafka) echo "$KAFKA_BROKERS" ;; cassandra) echo "$CASSANDRA_CONTACT_POINTS" ;; esac; }
local_port_of() { case "$1" in kafka) echo "$KAFKA_PORT" ;; cassandra) echo "$CASSANDRA_PORT" ;; esac; }
main_class_of() {
  case "$1" in
    kafka) echo kafka.Kafka ;;
    cassandra) echo org.apache.cassandra.service.CassandraDaemon ;;
    connect) echo org.apache.kafka.connect.cli.ConnectStandalone ;;
  esac
}
log_file_of() { echo "$SVC/$1/logs/$1.log"; }
pid_file_of() { echo "$SVC/$1/pid"; }

# Does the configured address list contain the 127.0.0.1:<port> this harness would start on?
covers_local_start() { # svc
  local entry port want; want="$(local_port_of "$1")"
  IFS=',' read -r -a entries <<< "$(addresses_of "$1")"
  for entry in "${entries[@]}"; do
    entry="${entry// /}"
    is_local_entry "$entry" || continue
    port="$(entry_port "$entry")"
    [ "${port:-$(default_port "$1")}" = "$want" ] && return 0
  done
  return 1
}
default_port() { case "$1" in kafka) echo 9092 ;; cassandra) echo 9042 ;; esac; }

# ------------------------------------------------------------------ processes
# pid of the harness-started process of a service, if it is alive AND really that service's JVM
# (protects against stale pid files whose pid was reused by another process).
our_pid() { # svc -> prints pid, returns 1 when not running
  local f pid; f="$(pid_file_of "$1")"
  [ -f "$f" ] || return 1
  pid="$(cat "$f" 2>/dev/null)"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- " $(main_class_of "$1") " || return 1
  echo "$pid"
}
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
probe_once() { "$NODE" "$PROBE" "$1" "$(addresses_of "$1")" 2>/dev/null; }
since() { awk -v a="$1" -v b="$(date +%s%3N)" 'BEGIN {printf "%.1f s", (b - a) / 1000}'; }
rss_of() { awk '/^VmRSS/ {printf "%d MiB", $2/1024}' "/proc/$1/status" 2>/dev/null || true; }

# Starts "$@" detached (own session, stdin closed, stdout+stderr to the log, no inherited lock fds)
# and records its pid (the exec'd JVM keeps the pid of the bash that wrote it).
launch() { # pidfile logfile cmd...
  local pidfile="$1" logfile="$2"; shift 2
  rm -f "$pidfile"
  setsid bash -c 'echo $$ > "$1"; shift; exec "$@"' _ "$pidfile" "$@" \
    < /dev/null >> "$logfile" 2>&1 8>&- 9>&- &
  local i
  for ((i = 0; i < 100; i++)); do [ -s "$pidfile" ] && return 0; sleep 0.1; done
  die "could not launch $*"
}

stop_svc() { # svc
  local pid i; pid="$(our_pid "$1")" || { rm -f "$(pid_file_of "$1")"; return 0; }
  log "$1: stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "$1: still alive after ${STOP_TIMEOUT}s, SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$(pid_file_of "$1")" "$SVC/$1/port"
  log "$1: stopped"
}

# Waits (via probe.mjs) until the service answers on 127.0.0.1:<port>; prints the tail of its log on failure.
await_ready() { # svc timeout_s pid started_epoch_ms
  local port detail; port="$(local_port_of "$1")"
  if detail="$("$NODE" "$PROBE" "$1" "127.0.0.1:$port" --wait "$2" --pid "$3" 2> "$SVC/$1/probe.err")"; then
    log "$1: up in $(since "$4"), pid $3, RSS $(rss_of "$3"): $detail"
    return 0
  fi
  if kill -0 "$3" 2>/dev/null; then
    log "$1: no answer on 127.0.0.1:$port within $2 s ($(tr '\n' ' ' < "$SVC/$1/probe.err")); stopping it"
    stop_svc "$1"
  else
    log "$1: process $3 exited during startup"
    rm -f "$(pid_file_of "$1")"
  fi
  log "$1: last lines of $(log_file_of "$1"):"
  tail -n 60 "$(log_file_of "$1")" >&2 || true
  return 1
}

java_check() {
  command -v "$JAVA" > /dev/null 2>&1 || die "java not found (install OpenJDK 17 or set JAVA_HOME)"
  local v; v="$("$JAVA" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  case "$v" in 17*|11*) ;; *) log "warning: java $v found; Cassandra 5.0 supports only 11 and 17, Kafka 4.x needs 17+" ;; esac
}

# ------------------------------------------------------------------ fetch (Maven Central, ~/.m2 cache)
# Copies the runtime jar set of a fetch-only POM into a lib dir. A stamp (hash of the POM) makes a
# repeated fetch a no-op; with an empty lib dir Maven runs offline first (everything is in ~/.m2
# after the first fetch) and goes online only when something is missing. Serialised by a lock so
# that parallel "up" calls never run two Maven processes on the same ~/.m2 at once.
fetch_one() { # pom outdir
  local stamp; stamp="$2/.fetched-$(sha256sum "$1" | cut -c1-16)"
  [ -f "$stamp" ] && return 0
  mkdir -p "$SVC"
  (
    flock 8
    [ -f "$stamp" ] && exit 0
    command -v mvn > /dev/null 2>&1 || die "mvn not found (apt-get install maven)"
    local t0; t0="$(date +%s)"
    rm -rf "$2" && mkdir -p "$2"
    if ! mvn -B -q -o -Dstyle.color=never -f "$1" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$2" \
      > "$SVC/mvn-offline.log" 2>&1; then
      log "fetching $(basename "$(dirname "$1")") jars from Maven Central ($1)"
      rm -rf "$2" && mkdir -p "$2"
      mvn -B -q -Dstyle.color=never -f "$1" dependency:copy-dependencies -DincludeScope=runtime \
        -DoutputDirectory="$2" > "$SVC/mvn.log" 2>&1 \
        || { tail -n 40 "$SVC/mvn.log" >&2; die "maven could not fetch the jars of $1 (full output: $SVC/mvn.log)"; }
    fi
    touch "$stamp"
    log "$(basename "$(dirname "$2")") jars: $(find "$2" -name '*.jar' | wc -l) files, $(du -sm "$2" | cut -f1) MiB, fetched in $(( $(date +%s) - t0 )) s"
  ) 8> "$SVC/.fetch.lock"
}
fetch_kafka() {
  local pom="$CONF/kafka/pom.xml"
  [ "$KAFKA_LINE" = 3 ] && pom="$CONF/kafka/pom-3.9.xml"
  fetch_one "$pom" "$KLIB"
}
fetch_cassandra() { fetch_one "$CONF/cassandra/pom.xml" "$CLIB"; }

klog() { # broker|tools -> JVM logging flag for the selected Kafka line
  if [ "$KAFKA_LINE" = 3 ]; then
    if [ "$1" = tools ]; then echo "-Dlog4j.configuration=file:$CONF/kafka/tools-log4j.properties"
    else echo "-Dlog4j.configuration=file:$CONF/kafka/log4j.properties"; fi
  else
    if [ "$1" = tools ]; then echo "-Dlog4j2.configurationFile=$CONF/kafka/tools-log4j2.properties"
    else echo "-Dlog4j2.configurationFile=$CONF/kafka/log4j2.properties"; fi
  fi
}

# ------------------------------------------------------------------ up (shared logic)
# Idempotent: our process alive -> wait for it / report it; something answers at the configured
# address -> use it as is; else start it on 127.0.0.1 (only if the configured address points there).
up_svc() { # svc
  mkdir -p "$SVC/$1/logs"
  (
    flock 9
    local pid detail ran_on
    if pid="$(our_pid "$1")"; then
      ran_on="$(cat "$SVC/$1/port" 2>/dev/null || true)"
      if [ "$ran_on" = "$(local_port_of "$1")" ] && covers_local_start "$1"; then
        if detail="$("$NODE" "$PROBE" "$1" "127.0.0.1:$ran_on" --wait 1 2>/dev/null)"; then
          log "$1: already running (pid $pid, started by this harness): $detail"
          echo "$1 running ${detail%% *}"
          exit 0
        fi
        log "$1: pid $pid is running but not answering yet; waiting"
        await_ready "$1" "$(timeout_of "$1")" "$pid" "$(date +%s%3N)"
        echo "$1 running 127.0.0.1:$ran_on"
        exit 0
      fi
      if covers_local_start "$1"; then
        die "$1: the instance this harness started (pid $pid) listens on 127.0.0.1:${ran_on:-?}, not on the configured port $(local_port_of "$1"); run 'services.sh down $1' first"
      fi
    fi
    if detail="$(probe_once "$1")"; then
      log "$1: using the service that answers at $detail (not started, will not be stopped here)"
      echo "$1 external ${detail%% *}"
      exit 0
    fi
    covers_local_start "$1" || die "$1: nothing answers at $(addresses_of "$1"), and that is not 127.0.0.1:$(local_port_of "$1") where this harness would start it (fix the address, or set ${1^^}_PORT)"
    "start_$1"
    echo "$1 started 127.0.0.1:$(local_port_of "$1")"
  ) 9> "$SVC/$1.lock"
}
timeout_of() { case "$1" in kafka) echo "$KAFKA_START_TIMEOUT" ;; cassandra) echo "$CASSANDRA_START_TIMEOUT" ;; esac; }

require_free_ports() { # svc port...
  local svc="$1" p; shift
  for p in "$@"; do
    port_open 127.0.0.1 "$p" && die "$svc: port 127.0.0.1:$p is taken by another process (that is not a $svc answering at $(addresses_of "$svc")); free it or choose other ports"
  done
  return 0
}

# ------------------------------------------------------------------ Kafka (KRaft, single node)
start_kafka() {
  java_check
  fetch_kafka
  require_free_ports kafka "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"
  local d="$SVC/kafka" t0; t0="$(date +%s%3N)"
  mkdir -p "$d/data" "$d/logs"
  cat > "$d/server.properties" <<EOF
# written by services/services.sh at every start
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$d/data
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
num.network.threads=2
num.io.threads=4
EOF
  if [ "$KAFKA_LINE" != 3 ]; then
    printf '%s\n' share.coordinator.state.topic.replication.factor=1 share.coordinator.state.topic.min.isr=1 \
      >> "$d/server.properties"
  fi
  local logf; logf="$(log_file_of kafka)"
  [ -f "$logf" ] && mv -f "$logf" "$logf.1" # previous run kept as kafka.log.1
  printf '==== %s starting Kafka (line %s) on 127.0.0.1:%s\n' "$(date -Is)" "$KAFKA_LINE" "$KAFKA_PORT" >> "$logf"
  # a log dir formatted by 4.x cannot be read by 3.9 (metadata.version) and vice versa
  if [ -f "$d/data/meta.properties" ] && [ "$(cat "$d/data/.kafka-line" 2>/dev/null || echo 4)" != "$KAFKA_LINE" ]; then
    die "kafka: $d/data was formatted by Kafka line $(cat "$d/data/.kafka-line" 2>/dev/null || echo 4), KAFKA_LINE=$KAFKA_LINE; run: services.sh clean kafka"
  fi
  # format the KRaft log dir once (a JVM start saved on every later start)
  if [ ! -f "$d/data/meta.properties" ]; then
    "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 "$(klog tools)" -cp "$KLIB/*" kafka.tools.StorageTool format \
      -t "$CLUSTER_ID" -c "$d/server.properties" --ignore-formatted >> "$logf" 2>&1 \
      || { tail -n 30 "$logf" >&2; die "kafka: storage format failed"; }
    echo "$KAFKA_LINE" > "$d/data/.kafka-line"
  fi
  log "kafka: starting on 127.0.0.1:$KAFKA_PORT (heap $KAFKA_HEAP, log $logf)"
  launch "$d/pid" "$logf" "$JAVA" "-Xms$KAFKA_HEAP" "-Xmx$KAFKA_HEAP" -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 \
    -Djava.awt.headless=true "-Dkafka.logs.dir=$d/logs" "$(klog broker)" \
    -cp "$KLIB/*" kafka.Kafka "$d/server.properties"
  echo "$KAFKA_PORT" > "$d/port"
  await_ready kafka "$KAFKA_START_TIMEOUT" "$(cat "$d/pid")" "$t0"
}

# ------------------------------------------------------------------ Kafka Connect standalone (perf peer)
start_connect() {
  java_check
  fetch_kafka
  probe_once kafka > /dev/null || die "connect: Kafka must answer at $KAFKA_BROKERS first (services.sh up kafka)"
  local d="$SVC/connect" pid
  if pid="$(our_pid connect)"; then log "connect: already running (pid $pid)"; return 0; fi
  require_free_ports connect 8083
  mkdir -p "$d/logs"
  : > "$d/input.txt"
  cat > "$d/worker.properties" <<EOF
bootstrap.servers=$KAFKA_BROKERS
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
offset.storage.file.filename=$d/connect.offsets
offset.flush.interval.ms=1000
listeners=http://127.0.0.1:8083
EOF
  cat > "$d/file-source.properties" <<EOF
name=perf-file-source
connector.class=org.apache.kafka.connect.file.FileStreamSourceConnector
tasks.max=1
file=$d/input.txt
topic=connect-perf
batch.size=2000
EOF
  cat > "$d/file-sink.properties" <<EOF
name=perf-file-sink
connector.class=org.apache.kafka.connect.file.FileStreamSinkConnector
tasks.max=1
file=$d/output.txt
topics=connect-perf
EOF
  local logf; logf="$(log_file_of connect)"
  [ -f "$logf" ] && mv -f "$logf" "$logf.1"
  launch "$d/pid" "$logf" "$JAVA" -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true "$(klog broker)" \
    -cp "$KLIB/*" org.apache.kafka.connect.cli.ConnectStandalone \
    "$d/worker.properties" "$d/file-source.properties" "$d/file-sink.properties"
  pid="$(cat "$d/pid")"
  local i
  for ((i = 0; i < 900; i++)); do
    grep -q 'Kafka Connect started' "$logf" 2>/dev/null && { log "connect: up (REST 127.0.0.1:8083, pid $pid); append lines to $d/input.txt, read $d/output.txt"; return 0; }
    kill -0 "$pid" 2>/dev/null || { tail -n 40 "$logf" >&2; die "connect: exited during startup"; }
    sleep 0.1
  done
  tail -n 40 "$logf" >&2; stop_svc connect; die "connect: not started within 90 s"
}

perf() { # N SIZE TOPIC - Kafka's own ProducerPerformance / ConsumerPerformance against KAFKA_BROKERS
  local n="${1:-200000}" size="${2:-100}" topic="${3:-perf-test}"
  fetch_kafka
  local T=("$JAVA" -Xms256m -Xmx512m "$(klog tools)" -cp "$KLIB/*")
  "${T[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BROKERS" \
    --create --if-not-exists --topic "$topic" --partitions 1 --replication-factor 1
  "${T[@]}" org.apache.kafka.tools.ProducerPerformance --topic "$topic" --num-records "$n" \
    --record-size "$size" --throughput -1 --producer-props "bootstrap.servers=$KAFKA_BROKERS" acks=1 linger.ms=5
  "${T[@]}" org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$KAFKA_BROKERS" \
    --topic "$topic" --messages "$n" --timeout 60000
}

# ------------------------------------------------------------------ Cassandra 5.0 (single node)
# Cassandra 5.0.x conf/jvm17-server.options, "### JPMS" section, verbatim.
CASS_JPMS=(
  -Djdk.attach.allowAttachSelf=true
  --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
  --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED
  --add-exports java.management/com.sun.jmx.remote.security=ALL-UNNAMED
  --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED
  --add-exports java.sql/java.sql=ALL-UNNAMED
  --add-exports java.base/java.lang.ref=ALL-UNNAMED
  --add-exports jdk.unsupported/sun.misc=ALL-UNNAMED
  --add-opens java.base/java.lang.module=ALL-UNNAMED
  --add-opens java.base/jdk.internal.loader=ALL-UNNAMED
  --add-opens java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/jdk.internal.reflect=ALL-UNNAMED
  --add-opens java.base/jdk.internal.math=ALL-UNNAMED
  --add-opens java.base/jdk.internal.module=ALL-UNNAMED
  --add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.base/java.io=ALL-UNNAMED
  --add-opens java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED
  --add-opens java.base/java.util=ALL-UNNAMED
  --add-opens java.base/java.nio=ALL-UNNAMED
)

start_cassandra() {
  java_check
  fetch_cassandra
  require_free_ports cassandra "$CASSANDRA_PORT" "$CASSANDRA_STORAGE_PORT" "$CASSANDRA_JMX_PORT"
  local d="$SVC/cassandra" jamm t0; t0="$(date +%s%3N)"
  mkdir -p "$d/data" "$d/logs" "$d/triggers"
  jamm="$(ls "$CLIB"/jamm-*.jar | head -n 1)"
  local OPTS=(
    "-Xms$CASSANDRA_HEAP" "-Xmx$CASSANDRA_HEAP"
    # conf/jvm-server.options (5.0.x) - "-XX:+AlwaysPreTouch" deliberately left out (faster start)
    -ea -da:net.openhft...
    -XX:+UseThreadPriorities -XX:+HeapDumpOnOutOfMemoryError "-XX:HeapDumpPath=$d/logs" -Xss256k
    -XX:+UseTLAB -XX:+ResizeTLAB -XX:+UseNUMA -XX:+PerfDisableSharedMem
    -Djava.net.preferIPv4Stack=true -Dchronicle.analytics.disable=true
    # conf/jvm17-server.options (5.0.x): GC
    -XX:+UseG1GC -XX:+ParallelRefProcEnabled -XX:MaxTenuringThreshold=1 -XX:G1HeapRegionSize=16m
    -XX:G1RSetUpdatingPauseTimePercent=5 -XX:MaxGCPauseMillis=300 -XX:InitiatingHeapOccupancyPercent=70
    "${CASS_JPMS[@]}"
    # conf/jvm17-server.options (5.0.x): Netty
    -Dio.netty.tryReflectionSetAccessible=true
    -Dio.netty.allocator.useCacheForAllThreads=true
    -Dio.netty.allocator.maxOrder=11
    # conf/cassandra-env.sh equivalents
    "-javaagent:$jamm"
    -XX:+ExitOnOutOfMemoryError
    "-Dcassandra.jmx.local.port=$CASSANDRA_JMX_PORT" -Dcom.sun.management.jmxremote.authenticate=false
    # bin/cassandra equivalents
    "-Dlogback.configurationFile=$CONF/cassandra/logback.xml"
    "-Dcassandra.logdir=$d/logs"
    "-Dcassandra.storagedir=$d/data"
    -Dcassandra-foreground=yes
    # config, ports and fast single-node start
    "-Dcassandra.config=file://$CONF/cassandra/cassandra.yaml"
    "-Dcassandra.native_transport_port=$CASSANDRA_PORT"
    "-Dcassandra.storage_port=$CASSANDRA_STORAGE_PORT"
    -Dcassandra.skip_wait_for_gossip_to_settle=0
    -Dcassandra.ring_delay_ms=1000
    -Dcassandra.superuser_setup_delay_ms=0
    -Dcassandra.unsafesystem=true
    "-Dcassandra.triggers_dir=$d/triggers"
  )
  # bin/cassandra.in.sh adds these 3 only when a full JDK (javac) is installed (CASSANDRA-19001)
  if [ -x "$(dirname "$(readlink -f "$(command -v "$JAVA")")")/javac" ]; then
    OPTS+=(--add-exports jdk.attach/sun.tools.attach=ALL-UNNAMED
           --add-exports jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
           --add-opens jdk.compiler/com.sun.tools.javac=ALL-UNNAMED)
  fi
  local logf; logf="$(log_file_of cassandra)"
  [ -f "$logf" ] && mv -f "$logf" "$logf.1" # previous run kept as cassandra.log.1
  printf '==== %s starting Cassandra on 127.0.0.1:%s\n' "$(date -Is)" "$CASSANDRA_PORT" >> "$logf"
  log "cassandra: starting on 127.0.0.1:$CASSANDRA_PORT (heap $CASSANDRA_HEAP, log $logf)"
  launch "$d/pid" "$logf" "$JAVA" "${OPTS[@]}" -cp "$CONF/cassandra:$CLIB/*" \
    org.apache.cassandra.service.CassandraDaemon
  echo "$CASSANDRA_PORT" > "$d/port"
  await_ready cassandra "$CASSANDRA_START_TIMEOUT" "$(cat "$d/pid")" "$t0"
}

nodetool() { # services.sh nodetool status (JMX of the Cassandra started here)
  fetch_cassandra
  "$JAVA" -Xmx128m -XX:ParallelGCThreads=1 -XX:TieredStopAtLevel=1 "${CASS_JPMS[@]}" \
    -Dlogback.configurationFile="$CONF/cassandra/logback.xml" -Dcassandra.logdir="$SVC/cassandra/logs" \
    -cp "$CLIB/*" org.apache.cassandra.tools.NodeTool -h 127.0.0.1 -p "$CASSANDRA_JMX_PORT" "$@"
}

# ------------------------------------------------------------------ commands
targets() { # arg -> list of services
  case "${1:-all}" in
    all) echo "kafka cassandra" ;;
    kafka|cassandra) echo "$1" ;;
    *) die "unknown service '$1' (kafka|cassandra|all)" ;;
  esac
}

cmd_up() {
  if [ "${1:-}" = connect ]; then start_connect; return; fi
  local svcs; svcs="$(targets "${1:-all}")"
  if [ "$svcs" = "kafka cassandra" ]; then
    # both at once: the two JVMs boot in parallel (fetches are serialised by the fetch lock)
    local kp cp rc=0
    up_svc kafka & kp=$!
    up_svc cassandra & cp=$!
    wait "$kp" || rc=1
    wait "$cp" || rc=1
    [ "$rc" = 0 ] || die "not every service came up (see above)"
  else
    up_svc "$svcs"
  fi
}

cmd_down() {
  case "${1:-all}" in
    all) stop_svc connect; stop_svc kafka & local kp=$!; stop_svc cassandra; wait "$kp" ;;
    kafka) stop_svc connect; stop_svc kafka ;;
    cassandra|connect) stop_svc "$1" ;;
    *) die "unknown service '$1' (kafka|cassandra|connect|all)" ;;
  esac
}

cmd_status() {
  local s pid detail
  for s in kafka cassandra connect; do
    if pid="$(our_pid "$s")"; then
      if [ "$s" = connect ]; then detail="REST 127.0.0.1:8083"
      else detail="$("$NODE" "$PROBE" "$s" "127.0.0.1:$(local_port_of "$s")" 2>&1 | tr '\n' ' ')"; fi
      printf '%-9s running  pid %s, RSS %s, started by this harness: %s\n' "$s" "$pid" "$(rss_of "$pid")" "$detail"
    elif [ "$s" = connect ]; then
      printf '%-9s stopped\n' "$s"
    elif detail="$(probe_once "$s")"; then
      printf '%-9s external %s (not managed here)\n' "$s" "$detail"
    else
      printf '%-9s stopped  (nothing answers at %s)\n' "$s" "$(addresses_of "$s")"
    fi
  done
}

cmd_clean() {
  local s list
  list="$(targets "${1:-all}")"
  for s in $list; do
    [ "$s" = kafka ] && { stop_svc connect; rm -rf "$SVC/connect"; }
    stop_svc "$s"
    rm -rf "$SVC/$s/data" "$SVC/$s/logs" "$SVC/$s/triggers" "$SVC/$s/server.properties" "$SVC/$s/probe.err"
    log "$s: data and logs deleted (jars kept in $SVC/$s/lib)"
  done
}

cmd_logs() {
  local s="${1:-}" f
  case "$s" in kafka|cassandra|connect) ;; *) die "usage: services.sh logs kafka|cassandra|connect [-f]" ;; esac
  f="$(log_file_of "$s")"
  [ -f "$f" ] || die "$s: no log yet ($f)"
  if [ "${2:-}" = -f ]; then exec tail -n "$LOG_LINES" -F "$f"; else tail -n "$LOG_LINES" "$f"; fi
}

cmd_probe() {
  case "${1:-}" in kafka|cassandra) ;; *) die "usage: services.sh probe kafka|cassandra" ;; esac
  "$NODE" "$PROBE" "$1" "$(addresses_of "$1")"
}

cmd="${1:-}"; shift || true
case "$cmd" in
  fetch)
    case "${1:-all}" in
      kafka) fetch_kafka ;; cassandra) fetch_cassandra ;; all) fetch_kafka; fetch_cassandra ;;
      *) die "unknown service '$1'" ;;
    esac
    log "jars: kafka $(find "$KLIB" -name '*.jar' 2>/dev/null | wc -l), cassandra $(find "$CLIB" -name '*.jar' 2>/dev/null | wc -l)" ;;
  up) cmd_up "$@" ;;
  down|stop) cmd_down "$@" ;;
  status) cmd_status ;;
  clean) cmd_clean "$@" ;;
  logs) cmd_logs "$@" ;;
  probe) cmd_probe "$@" ;;
  perf) perf "$@" ;;
  nodetool) nodetool "$@" ;;
  *) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | grep '^#' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
