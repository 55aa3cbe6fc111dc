#!/usr/bin/env bash
# Consumer groups with kafka-clients' KafkaConsumer (java/src/io/odradek/interop/GroupSuite.java):
#   classic | consumer  all members use that group.protocol: subscribe, commitSync, a second
#                       member joining, Admin.listConsumerGroupOffsets and describeConsumerGroups
#   migration           classic and consumer-protocol members in one group (KIP-848 online
#                       upgrade, then downgrade when the last consumer-protocol member leaves)
# Usage: java_groups.sh classic|consumer|migration BOOTSTRAP
# Exit status 3 (after a SKIP line) means the broker refused a feature the suite needs.
set -euo pipefail
source "$(dirname "$0")/common.sh"
mode="${1:-}"
case "$mode" in
  classic | consumer | migration) ;;
  *) echo "usage: $SUITE classic|consumer|migration BOOTSTRAP" >&2; exit 2 ;;
esac
need_bootstrap "${2:-}"
[ -f "$LIB/interop-suites.jar" ] || fail "Java test programs not compiled: run test/interop/install-deps.sh"
rc=0
run_java io.odradek.interop.GroupSuite "$mode" "$2" || rc=$?
# 3: the broker refused a feature the suite needs, with a clear error (SKIP line above).
[ "$rc" = 0 ] || [ "$rc" = 3 ] || fail "Java consumer-group suite ($mode) failed (see above)"
exit "$rc"
