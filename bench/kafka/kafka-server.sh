#!/usr/bin/env bash
# Start or stop a single combined (broker+controller) KRaft Apache Kafka node from the jars that
# test/interop/install-deps.sh puts in test/interop/lib. It is the reference the interop suites are
# validated against and the baseline a benchmark compares Odradek with. It listens on 127.0.0.1
# only.
#
#   kafka-server.sh start [--port P] [--controller-port C] [--data-dir DIR] [--lib DIR]
#                         [--heap 1G] [--override key=value]... [--wait SECONDS]
#       Formats DIR/logs on first use (kafka.tools.StorageTool format --standalone), writes
#       DIR/server.properties, starts kafka.Kafka in the background (pid in DIR/kafka.pid, output
#       in DIR/server.log), waits until the broker accepts connections and prints its bootstrap
#       address (127.0.0.1:P) on stdout. A port of 0 picks a free one. Partition directories
#       end up in DIR/logs (that is what DumpLogSegments reads).
#   kafka-server.sh stop [--data-dir DIR] [--wait SECONDS]
#       SIGTERM (controlled shutdown, clean log close), waits for the process to exit; SIGKILL
#       and a non-zero exit only if it did not stop in time.
#   kafka-server.sh status [--data-dir DIR]
#       Exit 0 and print the bootstrap address if the node of DIR is running.
#
# Defaults: ports 9092/9093, data dir ./kafka-data, heap 1G. JAVA (default: java) picks the JVM.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

die() { echo "kafka-server.sh: $*" >&2; exit 1; }

cmd="${1:-}"
[ -n "$cmd" ] || die "usage: kafka-server.sh start|stop|status [options] (see the header of this script)"
shift

port=9092
cport=9093
data_dir="$PWD/kafka-data"
lib="$repo/test/interop/lib"
heap=1G
wait_s=90
overrides=()
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --controller-port) cport="$2"; shift 2 ;;
    --data-dir) data_dir="$2"; shift 2 ;;
    --lib) lib="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --override) overrides+=("$2"); shift 2 ;;
    --wait) wait_s="$2"; shift 2 ;;
    *) die "unknown option '$1'" ;;
  esac
done

java_bin="${JAVA:-java}"
mkdir -p "$data_dir"
data_dir="$(cd "$data_dir" && pwd)"
pid_file="$data_dir/kafka.pid"
props="$data_dir/server.properties"
log_file="$data_dir/server.log"

running_pid() {
  [ -f "$pid_file" ] || return 1
  local pid
  pid="$(cat "$pid_file")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

# free_port asks the kernel for an unused loopback port by binding port 0.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# cluster_id makes a Kafka Uuid string: 16 random bytes, URL-safe base64 without padding. Kafka
# never hands out ids starting with '-' because they read as a CLI flag, so neither do we.
cluster_id() {
  local id
  while :; do
    id="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    [ "${id:0:1}" != "-" ] && { echo "$id"; return; }
  done
}

write_log4j() {
  cat >"$data_dir/log4j2.properties" <<'EOF'
status = error
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.state.name = state.change.logger
logger.state.level = WARN
EOF
}

write_props() {
  {
    echo "process.roles=broker,controller"
    echo "node.id=1"
    echo "listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport"
    echo "advertised.listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport"
    echo "controller.listener.names=CONTROLLER"
    echo "inter.broker.listener.name=PLAINTEXT"
    echo "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
    echo "controller.quorum.bootstrap.servers=127.0.0.1:$cport"
    echo "log.dirs=$data_dir/logs"
    echo "offsets.topic.replication.factor=1"
    echo "transaction.state.log.replication.factor=1"
    echo "transaction.state.log.min.isr=1"
    echo "share.coordinator.state.topic.replication.factor=1"
    echo "share.coordinator.state.topic.min.isr=1"
    echo "group.initial.rebalance.delay.ms=0"
    local kv
    for kv in ${overrides[@]+"${overrides[@]}"}; do echo "$kv"; done
  } >"$props"
}

jvm_opts() {
  echo "-Xmx$heap -Xms$heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true"
  echo "-Dlog4j2.configurationFile=$data_dir/log4j2.properties"
}

start() {
  if pid="$(running_pid)"; then
    die "a node is already running from $data_dir (pid $pid); stop it first"
  fi
  compgen -G "$lib/kafka_2.13-*.jar" >/dev/null || die "no Kafka jars in $lib: run test/interop/install-deps.sh"
  command -v "$java_bin" >/dev/null || die "java not found (set JAVA)"
  [ "$port" = 0 ] && port="$(free_port)"
  [ "$cport" = 0 ] && cport="$(free_port)"
  port_open "$port" && die "port $port on 127.0.0.1 is already in use"
  port_open "$cport" && die "port $cport on 127.0.0.1 is already in use"

  write_log4j
  write_props
  local cp="$lib/*"
  # shellcheck disable=SC2046
  if [ ! -f "$data_dir/logs/meta.properties" ]; then
    if ! "$java_bin" -Xmx256M -XX:TieredStopAtLevel=1 -Xshare:auto \
        -Dlog4j2.configurationFile="$data_dir/log4j2.properties" -cp "$cp" \
        kafka.tools.StorageTool format --standalone -t "$(cluster_id)" -c "$props" \
        >"$data_dir/format.log" 2>&1; then
      cat "$data_dir/format.log" >&2
      die "formatting $data_dir/logs failed"
    fi
  fi

  # setsid keeps the broker out of the caller's process group, so a caller that is interrupted
  # does not take the broker down with it uncleanly; stop is the way to end it. setsid forks
  # when started as a group leader (shells with job control), so the JVM's pid is written by
  # the process that becomes the JVM rather than taken from $!.
  rm -f "$pid_file"
  # shellcheck disable=SC2016,SC2046
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$pid_file" \
    "$java_bin" $(jvm_opts) -cp "$cp" kafka.Kafka "$props" >"$log_file" 2>&1 </dev/null &
  local pid="" _
  for _ in $(seq 1 50); do
    pid="$(cat "$pid_file" 2>/dev/null || true)"
    [ -n "$pid" ] && break
    sleep 0.1
  done
  [ -n "$pid" ] || die "Kafka process did not start (no pid written to $pid_file)"

  local deadline=$((SECONDS + wait_s))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$log_file" >&2
      die "Kafka exited during startup (log: $log_file)"
    fi
    if port_open "$port" && grep -q "Kafka Server started" "$log_file"; then
      break
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 40 "$log_file" >&2
      die "Kafka did not start within ${wait_s}s (log: $log_file); it is still running as pid $pid"
    fi
    sleep 0.2
  done
  echo "127.0.0.1:$port"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$pid_file"
    echo "kafka-server.sh: no node running from $data_dir" >&2
    return 0
  fi
  kill -TERM "$pid"
  local deadline=$((SECONDS + wait_s))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$pid_file"
      die "Kafka (pid $pid) did not stop within ${wait_s}s; killed it, its logs may not be cleanly closed"
    fi
    sleep 0.2
  done
  rm -f "$pid_file"
}

status() {
  running_pid >/dev/null || die "no node running from $data_dir"
  sed -n 's#^listeners=PLAINTEXT://\([^,]*\),.*#\1#p' "$props"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "unknown command '$cmd' (start|stop|status)" ;;
esac
