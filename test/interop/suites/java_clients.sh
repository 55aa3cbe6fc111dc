#!/usr/bin/env bash
# kafka-clients 4.x suite: KafkaProducer (acks=all, idempotence on by default) with every
# compression.type, an assign()ed KafkaConsumer checking every record, and the Admin client
# (see java/src/io/odradek/interop). One JVM runs all of it.
# Usage: java_clients.sh BOOTSTRAP
set -euo pipefail
source "$(dirname "$0")/common.sh"
need_bootstrap "${1:-}"
[ -f "$LIB/interop-suites.jar" ] || fail "Java test programs not compiled: run test/interop/install-deps.sh"
run_java io.odradek.interop.JavaSuite "$1" || fail "Java client suite failed (see above)"
