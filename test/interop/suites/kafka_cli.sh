#!/usr/bin/env bash
# Kafka's own CLI tools, run from the Kafka jars by main class (what bin/kafka-*.sh run):
#   kafka-topics           org.apache.kafka.tools.TopicCommand
#   kafka-configs          kafka.admin.ConfigCommand
#   kafka-console-producer org.apache.kafka.tools.ConsoleProducer
#   kafka-console-consumer org.apache.kafka.tools.consumer.ConsoleConsumer
# Usage: kafka_cli.sh BOOTSTRAP   (INTEROP_BROKER_ID names the broker for --entity-name, default 1)
set -euo pipefail
source "$(dirname "$0")/common.sh"
need_bootstrap "${1:-}"
B="$1"
broker_id="${INTEROP_BROKER_ID:-1}"
topic="$(unique_name cli)"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

# tool NAME MAINCLASS ARGS... runs one tool, shows its output and leaves stdout in $out;
# a non-zero exit fails the suite.
tool() {
  local name="$1" main="$2"
  shift 2
  echo "\$ $name $*"
  if ! run_java "$main" "$@" >"$out" 2>"$out.err"; then
    cat "$out" "$out.err"
    rm -f "$out.err"
    fail "$name $* exited non-zero"
  fi
  cat "$out"
  [ -s "$out.err" ] && sed 's/^/  (stderr) /' "$out.err"
  rm -f "$out.err"
}
topics() { tool kafka-topics org.apache.kafka.tools.TopicCommand --bootstrap-server "$B" "$@"; }
configs() { tool kafka-configs kafka.admin.ConfigCommand --bootstrap-server "$B" "$@"; }

# expect PATTERN WHAT: the last tool's stdout must have a line matching the extended regex.
expect() { grep -Eq -- "$1" "$out" || fail "$2: no line matching /$1/ in the output above"; }
expect_not() { ! grep -Eq -- "$1" "$out" || fail "$2: unexpected line matching /$1/ in the output above"; }

# eventually FN ARGS... retries a check function (tool runs plus expects) until it passes. Admin
# writes are committed by the controller before the tool returns, but a broker serves reads from
# its own copy of the metadata, which catches up a moment later (in Kafka as well).
eventually() {
  local i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    if ( RETRYING=1; "$@" ); then return 0; fi
    sleep 0.5
  done
  "$@"
}

# --- kafka-topics ------------------------------------------------------------------------------
step "kafka-topics --create"
topics --create --topic "$topic" --partitions 1 --replication-factor 1 --config retention.ms=86400000
expect "^Created topic $topic\.$" "create"

step "kafka-topics --list"
listed() { topics --list; expect "^$topic$" "list"; }
eventually listed

step "kafka-topics --describe"
described() {
  topics --describe --topic "$topic"
  expect "^Topic: $topic	TopicId: [A-Za-z0-9_-]{22}	PartitionCount: 1	ReplicationFactor: 1	Configs: .*retention\.ms=86400000" "describe header"
  expect "^	Topic: $topic	Partition: 0	Leader: $broker_id	Replicas: $broker_id	Isr: $broker_id" "describe partition 0"
}
eventually described

# --- console producer and consumer -------------------------------------------------------------
step "kafka-console-producer with parse.key and parse.headers (zstd)"
n=25
input=""
expected=""
for i in $(seq 1 "$n"); do
  input+="src:cli,i:$i	key-$i:value $i with spaces"$'\n'
  expected+="src:cli,i:$i	key-$i	value $i with spaces"$'\n'
done
echo "\$ kafka-console-producer --topic $topic (stdin: $n lines)"
printf '%s' "$input" | run_java org.apache.kafka.tools.ConsoleProducer --bootstrap-server "$B" --topic "$topic" \
  --compression-codec zstd \
  --reader-property parse.key=true --reader-property key.separator=: \
  --reader-property parse.headers=true \
  || fail "kafka-console-producer exited non-zero"

step "kafka-console-consumer --partition 0 --offset earliest --max-messages $n"
tool kafka-console-consumer org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$B" \
  --topic "$topic" --partition 0 --offset earliest --max-messages "$n" --timeout-ms 30000 \
  --formatter-property print.key=true --formatter-property print.headers=true
if ! diff -u <(printf '%s' "$expected") "$out" >&2; then
  fail "console consumer output differs from what the console producer sent (- want, + got)"
fi

# --- partitions --------------------------------------------------------------------------------
step "kafka-topics --alter --partitions 3"
topics --alter --topic "$topic" --partitions 3
described3() {
  topics --describe --topic "$topic"
  expect "PartitionCount: 3" "describe after alter"
  [ "$(grep -Ec "^	Topic: $topic	Partition: [0-2]	Leader: $broker_id" "$out")" = 3 ] \
    || fail "describe after alter does not list partitions 0-2 led by broker $broker_id"
}
eventually described3

# --- kafka-configs: topic ----------------------------------------------------------------------
tcfg() { configs --entity-type topics --entity-name "$topic" "$@"; }

step "kafka-configs topic --describe"
topic_created() {
  tcfg --describe
  expect "^Dynamic configs for topic $topic are:" "topic describe header"
  expect "^  retention\.ms=86400000 sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:retention\.ms=86400000" "retention.ms"
}
eventually topic_created

step "kafka-configs topic --alter --add-config"
tcfg --alter --add-config 'max.message.bytes=2000000,cleanup.policy=[delete,compact]'
expect "^Completed updating config for topic $topic\.$" "alter topic"
topic_added() {
  tcfg --describe
  expect "^  max\.message\.bytes=2000000 sensitive=false" "max.message.bytes after alter"
  expect "^  cleanup\.policy=delete,compact sensitive=false" "cleanup.policy after alter"
}
eventually topic_added

step "kafka-configs topic --alter --delete-config"
tcfg --alter --delete-config max.message.bytes,cleanup.policy
topic_deleted() {
  tcfg --describe --all
  expect "^All configs for topic $topic are:" "describe --all header"
  expect "^  max\.message\.bytes=1048588 sensitive=false synonyms=\{DEFAULT_CONFIG:message\.max\.bytes=1048588\}" "max.message.bytes back to default"
  expect "^  cleanup\.policy=delete sensitive=false synonyms=\{DEFAULT_CONFIG:log\.cleanup\.policy=delete\}" "cleanup.policy back to default"
  expect "^  segment\.bytes=1073741824 sensitive=false synonyms=\{DEFAULT_CONFIG:log\.segment\.bytes=1073741824\}" "segment.bytes default"
  expect "^  retention\.ms=86400000 sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:retention\.ms=86400000" "retention.ms kept"
}
eventually topic_deleted

step "kafka-configs topic with a bad value must fail"
echo "\$ kafka-configs --alter --add-config retention.ms=not-a-number"
if run_java kafka.admin.ConfigCommand --bootstrap-server "$B" --entity-type topics --entity-name "$topic" \
    --alter --add-config retention.ms=not-a-number >"$out" 2>&1; then
  cat "$out"
  fail "setting retention.ms=not-a-number succeeded"
fi
grep -q "InvalidConfigurationException" "$out" || { cat "$out"; fail "bad value did not fail with InvalidConfigurationException"; }

# --- kafka-configs: brokers --------------------------------------------------------------------
step "kafka-configs brokers --entity-default and --entity-name $broker_id"
bcfg() { configs --entity-type brokers --entity-name "$broker_id" "$@"; }
dcfg() { configs --entity-type brokers --entity-default "$@"; }
dcfg --alter --add-config log.cleaner.backoff.ms=16000
expect "^Completed updating default config for brokers in the cluster\.$" "alter broker default"
bcfg --alter --add-config log.cleaner.backoff.ms=17000
expect "^Completed updating config for broker $broker_id\.$" "alter broker $broker_id"
default_set() {
  dcfg --describe
  expect "^  log\.cleaner\.backoff\.ms=16000 sensitive=false synonyms=\{DYNAMIC_DEFAULT_BROKER_CONFIG:log\.cleaner\.backoff\.ms=16000\}" "broker default describe"
}
eventually default_set
broker_set() {
  bcfg --describe
  expect "^Dynamic configs for broker $broker_id are:" "broker describe header"
  expect "^  log\.cleaner\.backoff\.ms=17000 sensitive=false synonyms=\{DYNAMIC_BROKER_CONFIG:log\.cleaner\.backoff\.ms=17000, DYNAMIC_DEFAULT_BROKER_CONFIG:log\.cleaner\.backoff\.ms=16000, DEFAULT_CONFIG:log\.cleaner\.backoff\.ms=15000\}" "broker $broker_id describe with synonyms"
}
eventually broker_set

step "kafka-configs brokers --delete-config"
bcfg --alter --delete-config log.cleaner.backoff.ms
dcfg --alter --delete-config log.cleaner.backoff.ms
broker_unset() {
  bcfg --describe --all
  expect "^  log\.cleaner\.backoff\.ms=15000 sensitive=false synonyms=\{DEFAULT_CONFIG:log\.cleaner\.backoff\.ms=15000\}" "broker $broker_id back to the static default"
}
eventually broker_unset

# --- kafka-configs: groups ---------------------------------------------------------------------
step "kafka-configs groups --alter / --describe"
group="cli-cfg-group-$$"
gcfg() { configs --entity-type groups --entity-name "$group" "$@"; }
gcfg --alter --add-config consumer.session.timeout.ms=50000,consumer.heartbeat.interval.ms=6000
expect "^Completed updating config for group $group\.$" "alter group"
group_set() {
  gcfg --describe
  expect "^Dynamic configs for group $group are:" "group describe header"
  expect "^  consumer\.heartbeat\.interval\.ms=6000 sensitive=false synonyms=\{DYNAMIC_GROUP_CONFIG:consumer\.heartbeat\.interval\.ms=6000, DEFAULT_CONFIG:group\.consumer\.heartbeat\.interval\.ms=5000\}" "group heartbeat interval"
  expect "^  consumer\.session\.timeout\.ms=50000 sensitive=false" "group session timeout"
}
eventually group_set
gcfg --describe --all
expect "^  consumer\.assignment\.interval\.ms=1000 sensitive=false synonyms=\{DEFAULT_CONFIG:group\.consumer\.assignment\.interval\.ms=1000\}" "group describe --all default"
echo "\$ kafka-configs groups --alter --add-config consumer.session.timeout.ms=1000"
if run_java kafka.admin.ConfigCommand --bootstrap-server "$B" --entity-type groups --entity-name "$group" \
    --alter --add-config consumer.session.timeout.ms=1000 >"$out" 2>&1; then
  cat "$out"
  fail "a group session timeout below group.consumer.min.session.timeout.ms was accepted"
fi
grep -q "consumer.session.timeout.ms must be greater than or equal to group.consumer.min.session.timeout.ms" "$out" \
  || { cat "$out"; fail "out-of-bounds group config did not fail with Kafka's message"; }

# --- kafka-metadata-quorum ---------------------------------------------------------------------
step "kafka-metadata-quorum describe --status / --replication"
quorum() { tool kafka-metadata-quorum org.apache.kafka.tools.MetadataQuorumCommand "$@"; }
quorum --bootstrap-server "$B" describe --status
expect "^LeaderId: +$broker_id$" "quorum leader"
expect "^HighWatermark: +[1-9][0-9]*$" "quorum high watermark"
expect "^CurrentVoters: +\[\{\"id\": $broker_id, \"directoryId\": \"[A-Za-z0-9_-]{22}\", \"endpoints\": \[\"CONTROLLER://[0-9.]+:[0-9]+\"\]\}\]$" "quorum voters with directory id and endpoint"
controller="$(sed -n 's/.*"endpoints": \["CONTROLLER:\/\/\([0-9.]*:[0-9]*\)"\].*/\1/p' "$out" | head -n1)"
[ -n "$controller" ] || fail "no controller endpoint in describe --status"
quorum --bootstrap-controller "$controller" describe --replication
expect "^$broker_id[[:space:]]+[A-Za-z0-9_-]{22}[[:space:]]+[0-9]+[[:space:]]+0[[:space:]]+[0-9]+[[:space:]]+[0-9]+[[:space:]]+Leader" "replication row of the leader via --bootstrap-controller"

# --- delete ------------------------------------------------------------------------------------
step "kafka-topics --delete"
topics --delete --topic "$topic"
for _ in 1 2 3 4 5 6 7 8 9 10; do
  topics --list
  grep -qx -- "$topic" "$out" || break
  sleep 1
done
expect_not "^$topic$" "list after delete"

step "PASS"
