#!/usr/bin/env bash
# Kafka's DumpLogSegments (org.apache.kafka.tools.DumpLogSegments) over a partition the broker
# wrote, to check that its on-disk files are Kafka's format.
#
#   dumplog.sh produce BOOTSTRAP TOPIC   before the broker stops: writes RECORDS records to
#                                        partition 0 of TOPIC, one idempotent kcat run per codec
#   dumplog.sh verify LOG_DIR TOPIC      after a clean stop: runs DumpLogSegments over every
#                                        .log/.index/.timeindex/.snapshot of LOG_DIR/TOPIC-0 with
#                                        --verify-index-only, then --deep-iteration
#                                        --print-data-log, and checks what it printed
#
# TOPIC is created on first produce (auto.create.topics.enable, Kafka's default).
set -euo pipefail
source "$(dirname "$0")/common.sh"

codecs=(none gzip snappy lz4 zstd)
per_codec=40
records=$((per_codec * ${#codecs[@]}))

usage() { echo "usage: $SUITE produce BOOTSTRAP TOPIC | verify LOG_DIR TOPIC" >&2; exit 2; }
[ $# -eq 3 ] || usage

produce() {
  local b="$1" topic="$2"
  command -v kcat >/dev/null || fail "kcat not installed: run test/interop/install-deps.sh"
  for codec in "${codecs[@]}"; do
    step "produce $per_codec records to $topic-0 with compression.codec=$codec"
    # Each value repeats a random chunk: every codec (lz4 included, which has no entropy
    # coding) shrinks it, since librdkafka sends a batch uncompressed when compressing does not
    # make it smaller, while the batches stay large enough to cross index.interval.bytes, so
    # the offset and time indexes get entries to verify.
    for i in $(seq 1 "$per_codec"); do
      chunk="$(head -c 36 /dev/urandom | base64 -w0)"
      printf 'k-%s-%s:v-%s-%s-' "$codec" "$i" "$codec" "$i"
      printf '%s' "$chunk"{,,,,,,,,,,,,,,,,,,,,,,,}
      printf '\n'
    done | timeout 60 kcat -P -b "$b" -t "$topic" -p 0 -K : -H "codec=$codec" \
      -X compression.codec="$codec" -X enable.idempotence=true -X linger.ms=100 \
      -X message.timeout.ms=30000 || fail "kcat produce with codec $codec failed"
  done
  step "produced $records records"
}

# dump ARGS... runs DumpLogSegments; its whole output must be free of errors.
dump() {
  local out
  echo "\$ kafka-dump-log $*"
  out="$(run_java org.apache.kafka.tools.DumpLogSegments "$@" 2>&1)" || { echo "$out"; fail "DumpLogSegments $* exited non-zero"; }
  # Record lines carry random payloads, which could spell any word; only the tool's own lines
  # are searched for problems.
  if grep -v '^| offset:' <<<"$out" | grep -Eiq 'exception|mismatch|corrupt|error'; then
    echo "$out"
    fail "DumpLogSegments $* reported a problem (lines above)"
  fi
  printf '%s\n' "$out"
}

verify() {
  local log_dir="$1" topic="$2"
  local pdir="$log_dir/$topic-0"
  [ -d "$pdir" ] || fail "no partition directory $pdir"
  local files=()
  mapfile -t files < <(find "$pdir" -maxdepth 1 -type f \
    \( -name '*.log' -o -name '*.index' -o -name '*.timeindex' -o -name '*.snapshot' \) | sort)
  local ls
  ls="$(ls -l "$pdir")"
  echo "$ls"
  for ext in log index timeindex snapshot; do
    printf '%s\n' "${files[@]}" | grep -q "\.$ext\$" || fail "$pdir has no .$ext file after a clean shutdown"
  done
  local list
  list="$(IFS=,; echo "${files[*]}")"

  step "DumpLogSegments --verify-index-only"
  local vout
  vout="$(dump --files "$list" --verify-index-only)"
  echo "$vout" | head -n 40

  step "DumpLogSegments --deep-iteration --print-data-log"
  local out
  out="$(dump --files "$list" --deep-iteration --print-data-log)"
  echo "$out" | grep -v '^| offset:' | head -n 60
  local n
  n="$(grep -c '^| offset:' <<<"$out" || true)"
  [ "$n" = "$records" ] || fail "DumpLogSegments printed $n records, want $records"
  for codec in "${codecs[@]}"; do
    local batches
    batches="$(grep -c "compresscodec: $codec" <<<"$out" || true)"
    [ "$batches" -ge 1 ] || fail "no batch with compresscodec: $codec"
  done
  local idx
  for idx in 1 $((per_codec)) $((records - 1)); do
    grep -Eq "^\| offset: $((idx)) .*key: k-[a-z0-9]+-[0-9]+ payload: v-" <<<"$out" \
      || fail "record at offset $idx not printed with its key and payload"
  done
  grep -q "^| offset: 0 .*headerKeys: \[codec\] key: k-none-1 payload: v-none-1-" <<<"$out" \
    || fail "first record not printed with its header key, key and payload"
  grep -Eq "producerId: [0-9]+ producerEpoch: [0-9]+" <<<"$out" \
    || fail "no idempotent producer id in the dump (batches or .snapshot)"
  step "PASS ($n records in ${#files[@]} files)"
}

case "$1" in
  produce) produce "$2" "$3" ;;
  verify) verify "$2" "$3" ;;
  *) usage ;;
esac
