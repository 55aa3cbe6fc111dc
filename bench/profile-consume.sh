#!/usr/bin/env bash
# Where a warm consume spends the Odradek server's CPU: the analysis behind the largest gap of the
# side-by-side table in docs/benchmarks.md. Starts one node on 127.0.0.1 (free ports, data in a
# temp dir), writes 1.5 million 1 KiB records to 16 partitions, reads them once to warm the page
# cache, then samples the server with `perf record` while `odradek consumer-perf-test` reads them
# again, and prints the hottest functions.
#
#   bench/profile-consume.sh [ODRADEK_BIN]      (default bin/odradek; needs perf: apt-get install linux-perf)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$repo/bin/odradek}"
records=1500000
command -v perf >/dev/null || { echo "profile-consume: perf not found (apt-get install linux-perf)" >&2; exit 1; }

dir="$(mktemp -d)"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
port="$(free_port)"; cport="$(free_port)"
cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
controller.quorum.voters=1@127.0.0.1:$cport
log.dirs=$dir/logs
offsets.topic.replication.factor=1
group.initial.rebalance.delay.ms=0
http.listener=127.0.0.1:0
EOF
"$bin" storage format -t "$("$bin" storage random-uuid)" -c "$dir/server.properties" >/dev/null
"$bin" server --config "$dir/server.properties" --log-level warn >"$dir/server.log" 2>&1 &
pid=$!
until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do sleep 0.05; done
bs="127.0.0.1:$port"
"$bin" topics --bootstrap-server "$bs" --create --topic profile --partitions 16 >/dev/null
"$bin" producer-perf-test --topic profile --num-records "$records" --record-size 1024 --throughput -1 \
  --producer-props "bootstrap.servers=$bs" acks=all | tail -n 1
"$bin" consumer-perf-test --bootstrap-server "$bs" --topic profile --num-records "$records" --group warm >/dev/null
perf record -q -F 999 -g -o "$dir/perf.data" -p "$pid" -- \
  "$bin" consumer-perf-test --bootstrap-server "$bs" --topic profile --num-records "$records" --group measured
perf report -i "$dir/perf.data" --no-children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -n 25
echo "--- with callees, Odradek functions:"
perf report -i "$dir/perf.data" --children --sort symbol --stdio -g none 2>/dev/null | grep -E "github.com/odradek" | head -n 20
