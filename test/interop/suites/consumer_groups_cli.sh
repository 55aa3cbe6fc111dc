#!/usr/bin/env bash
# Kafka's kafka-consumer-groups tool (org.apache.kafka.tools.consumer.group.ConsumerGroupCommand)
# on a group that kafka-console-consumer formed and left:
#   --list; --describe (offsets view: CURRENT-OFFSET, LOG-END-OFFSET, LAG per partition);
#   --reset-offsets without --execute (a dry run) changes nothing; --reset-offsets --execute with
#   --to-earliest, --to-latest and --to-datetime on the inactive group, each checked with
#   --describe.
# Records are produced in two batches with a datetime between them, so --to-datetime must land
# each partition on the first record of the second batch, which is where the group's offsets
# stood after it consumed the first batch.
# Usage: consumer_groups_cli.sh BOOTSTRAP
set -euo pipefail
source "$(dirname "$0")/common.sh"
need_bootstrap "${1:-}"
B="$1"
topic="$(unique_name cg-cli)"
group="$(unique_name cg-cli-group)"
partitions=3
per_batch=30
out="$(mktemp)"
trap 'rm -f "$out" "$out.err"' EXIT

# tool NAME MAINCLASS ARGS... runs one tool, shows its output and leaves stdout in $out;
# a non-zero exit fails the suite.
tool() {
  local name="$1" main="$2"
  shift 2
  echo "\$ $name $*"
  if ! run_java "$main" "$@" >"$out" 2>"$out.err"; then
    cat "$out" "$out.err"
    fail "$name $* exited non-zero"
  fi
  cat "$out"
  [ -s "$out.err" ] && sed 's/^/  (stderr) /' "$out.err"
  return 0
}
cg() { tool kafka-consumer-groups org.apache.kafka.tools.consumer.group.ConsumerGroupCommand --bootstrap-server "$B" "$@"; }

# produce FIRST COUNT: keyed records key-i:value-i, spread over the partitions by key.
produce() {
  local i input=""
  for i in $(seq "$1" $(($1 + $2 - 1))); do input+="key-$i:value-$i"$'\n'; done
  echo "\$ kafka-console-producer --topic $topic (stdin: $2 lines)"
  printf '%s' "$input" | run_java org.apache.kafka.tools.ConsoleProducer --bootstrap-server "$B" --topic "$topic" \
    --reader-property parse.key=true --reader-property key.separator=: \
    || fail "kafka-console-producer exited non-zero"
}

# offsets COLUMN: "partition=value ..." for the group's rows of the topic in the last --describe
# (COLUMN 4 is CURRENT-OFFSET, 5 LOG-END-OFFSET, 6 LAG), sorted by partition.
offsets() {
  awk -v g="$group" -v t="$topic" -v c="$1" '$1 == g && $2 == t { print $3 "=" $c }' "$out" | sort -n | xargs
}

# describe_is CURRENT [LOG-END]: --describe must show exactly these offsets.
describe_is() {
  cg --describe --group "$group" --offsets
  local cur end
  cur="$(offsets 4)"
  [ "$cur" = "$1" ] || fail "CURRENT-OFFSET: got '$cur', want '$1'"
  if [ -n "${2:-}" ]; then
    end="$(offsets 5)"
    [ "$end" = "$2" ] || fail "LOG-END-OFFSET: got '$end', want '$2'"
  fi
}

# new_offsets WANT: the NEW-OFFSET column of the last --reset-offsets must be WANT.
new_offsets() {
  local got
  got="$(offsets 4)"
  [ "$got" = "$1" ] || fail "NEW-OFFSET: got '$got', want '$1'"
}

step "kafka-topics --create $topic ($partitions partitions)"
tool kafka-topics org.apache.kafka.tools.TopicCommand --bootstrap-server "$B" --create --topic "$topic" \
  --partitions "$partitions" --replication-factor 1

step "first batch, consumed and committed by kafka-console-consumer --group $group"
produce 1 "$per_batch"
echo "\$ kafka-console-consumer --group $group --from-beginning --max-messages $per_batch"
run_java org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$B" --topic "$topic" --group "$group" \
  --from-beginning --max-messages "$per_batch" >"$out" || fail "kafka-console-consumer exited non-zero"
[ "$(wc -l <"$out")" = "$per_batch" ] || fail "console consumer printed $(wc -l <"$out") records, want $per_batch"

step "kafka-consumer-groups --list"
cg --list
grep -Fxq -- "$group" "$out" || fail "--list does not name $group"

step "kafka-consumer-groups --describe: the group committed the end of every partition"
cg --describe --group "$group" --offsets
first_end="$(offsets 5)"
[ "$(offsets 4)" = "$first_end" ] || fail "CURRENT-OFFSET '$(offsets 4)' != LOG-END-OFFSET '$first_end'"
[ "$(offsets 6)" = "$(seq 0 $((partitions - 1)) | sed 's/$/=0/' | xargs)" ] || fail "LAG is not 0 everywhere: '$(offsets 6)'"
sum=0
for kv in $first_end; do sum=$((sum + ${kv#*=})); done
[ "$sum" = "$per_batch" ] || fail "LOG-END-OFFSETs $first_end add up to $sum, want $per_batch"
[ "$(echo "$first_end" | wc -w)" = "$partitions" ] || fail "--describe shows partitions '$first_end', want $partitions"

# Every record of the second batch is stamped (CreateTime) after this instant: its producer JVM
# starts after the date command returns.
between="$(date -u +%Y-%m-%dT%H:%M:%S.%3N)Z"
step "second batch, produced after $between"
produce $((per_batch + 1)) "$per_batch"
zeros="$(seq 0 $((partitions - 1)) | sed 's/$/=0/' | xargs)"

step "kafka-consumer-groups --reset-offsets --to-latest without --execute changes nothing"
cg --reset-offsets --group "$group" --topic "$topic" --to-latest
end="$(offsets 4)"
sum=0
for kv in $end; do sum=$((sum + ${kv#*=})); done
[ "$sum" = $((2 * per_batch)) ] || fail "NEW-OFFSETs $end add up to $sum, want $((2 * per_batch))"
describe_is "$first_end" "$end"

step "kafka-consumer-groups --reset-offsets --to-earliest --execute"
cg --reset-offsets --group "$group" --topic "$topic" --to-earliest --execute
new_offsets "$zeros"
describe_is "$zeros" "$end"

step "kafka-consumer-groups --reset-offsets --to-latest --execute"
cg --reset-offsets --group "$group" --topic "$topic" --to-latest --execute
new_offsets "$end"
describe_is "$end" "$end"

step "kafka-consumer-groups --reset-offsets --to-datetime $between --execute"
cg --reset-offsets --group "$group" --topic "$topic" --to-datetime "$between" --execute
new_offsets "$first_end"
describe_is "$first_end" "$end"

step "kafka-console-consumer resumes the group at the reset offsets: exactly the second batch"
run_java org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$B" --topic "$topic" --group "$group" \
  --max-messages "$per_batch" --formatter-property print.key=true --formatter-property key.separator=: >"$out" \
  || fail "kafka-console-consumer exited non-zero"
want="$(seq $((per_batch + 1)) $((2 * per_batch)) | sed 's/.*/key-&:value-&/' | sort)"
[ "$(sort "$out")" = "$want" ] || fail "records after the reset differ from the second batch: $(sort "$out" | head -5 | xargs)..."
describe_is "$end" "$end"

step "ok"
