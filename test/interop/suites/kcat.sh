#!/usr/bin/env bash
# kcat (librdkafka) suite: produce keyed records with headers under every compression codec,
# read them all back from the beginning and compare byte for byte, then list metadata.
# Usage: kcat.sh BOOTSTRAP
# The topic is created by the broker on first produce (auto.create.topics.enable, on by
# default in Kafka), since kcat has no admin commands. Every kcat call is bounded by timeout(1),
# so an unresponsive broker fails the suite instead of hanging it.
set -euo pipefail
source "$(dirname "$0")/common.sh"
need_bootstrap "${1:-}"
B="$1"
command -v kcat >/dev/null || fail "kcat not installed: run test/interop/install-deps.sh"

topic="$(unique_name kcat)"
codecs=(none gzip snappy lz4 zstd)
per_codec=20
expected="$(mktemp)"; got="$(mktemp)"
trap 'rm -f "$expected" "$got"' EXIT

# A long, repetitive value in each batch makes every codec actually compress something.
filler="$(printf 'odradek-%.0s' $(seq 1 200))"
offset=0
for codec in "${codecs[@]}"; do
  step "produce $per_codec records with compression.codec=$codec"
  input=""
  for i in $(seq 1 "$per_codec"); do
    value="value-$codec-$i"
    [ "$i" = 1 ] && value="$value-$filler"
    input+="key-$codec-$i:$value"$'\n'
    printf '%s\t%s\tcodec=%s,run=kcat\t0\t%s\n' "key-$codec-$i" "$value" "$codec" "$offset" >>"$expected"
    offset=$((offset + 1))
  done
  printf '%s' "$input" | timeout 60 kcat -P -b "$B" -t "$topic" -p 0 -K : -H "codec=$codec" -H run=kcat \
    -X compression.codec="$codec" -X linger.ms=50 -X acks=all -X message.timeout.ms=30000 \
    || fail "kcat produce with codec $codec failed"
done

step "consume $offset records from the beginning"
timeout 60 kcat -C -b "$B" -t "$topic" -p 0 -o beginning -e -q -f '%k\t%s\t%h\t%p\t%o\n' >"$got" \
  || fail "kcat consume failed"
if ! diff -u "$expected" "$got" >&2; then
  fail "consumed records differ from produced ones (diff above: - expected, + got)"
fi

step "metadata listing"
meta="$(timeout 30 kcat -L -b "$B" -t "$topic")" || fail "kcat -L failed"
echo "$meta"
grep -q "topic \"$topic\" with 1 partitions" <<<"$meta" || fail "metadata does not list $topic with 1 partition"
grep -Eq 'partition 0, leader [0-9]+, replicas: [0-9]+, isrs: [0-9]+' <<<"$meta" \
  || fail "metadata has no leader/replicas/isrs for partition 0"
grep -Eq "broker [0-9]+ at $B" <<<"$meta" || fail "metadata does not list a broker at $B"
all="$(timeout 30 kcat -L -b "$B" -J)" || fail "kcat -L -J failed"
grep -q "\"topic\":\"$topic\"" <<<"$all" || fail "full JSON metadata listing does not include $topic"

step "PASS ($offset records, codecs: ${codecs[*]})"
