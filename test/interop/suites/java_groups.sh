#!/usr/bin/env bash
# Consumer groups with kafka-clients' KafkaConsumer (java/src/io/odradek/interop/GroupSuite.java):
#   classic | consumer  all members use that group.protocol: subscribe, commitSync, a second
#                       member joining, Admin.listConsumerGroupOffsets and describeConsumerGroups
#   migration           classic and consumer-protocol members in one group (KIP-848 online
#                       upgrade, then downgrade when the last consumer-protocol member leaves)
# Usage: java_groups.sh classic|consumer|migration BOOTSTRAP
set -euo pipefail
source "$(dirname "$0")/common.sh"
mode="${1:-}"
case "$mode" in
  classic | consumer | migration) ;;
  *) echo "usage: $SUITE classic|consumer|migration BOOTSTRAP" >&2; exit 2 ;;
esac
need_bootstrap "${2:-}"
[ -f "$LIB/interop-suites.jar" ] || fail "Java test programs not compiled: run test/interop/install-deps.sh"
run_java io.odradek.interop.GroupSuite "$mode" "$2" || fail "Java consumer-group suite ($mode) failed (see above)"
