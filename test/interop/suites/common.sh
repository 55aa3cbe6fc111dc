# Shared helpers for the shell suites; source it, do not run it.
# INTEROP_DIR is test/interop; LIB the jars install-deps.sh copied there.
INTEROP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIB="$INTEROP_DIR/lib"
CLASSES="$INTEROP_DIR/java/classes"
SUITE="$(basename "$0")"

fail() { echo "FAIL [$SUITE]: $*" >&2; exit 1; }
step() { echo "--- [$SUITE] $*"; }

# unique_name gives each run its own topics, so suites never see records of an earlier run.
unique_name() { echo "interop-$1-$(date +%s)-$$-$RANDOM"; }

# JVM flags for short-lived tool JVMs: the C1 compiler only and class-data sharing start a JVM
# in well under a second, which is what these runs are bound by.
JVM_FLAGS=(-Xmx512M -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto
  "-Dlog4j2.configurationFile=$INTEROP_DIR/java/log4j2.properties")

# run_java MAINCLASS ARGS... runs a Kafka tool or one of our Java programs on the jars in lib/.
run_java() {
  compgen -G "$LIB/kafka-clients-*.jar" >/dev/null || fail "no Kafka jars in $LIB: run test/interop/install-deps.sh"
  java "${JVM_FLAGS[@]}" -cp "$CLASSES:$LIB/*" "$@"
}

need_bootstrap() {
  [ -n "${1:-}" ] || { echo "usage: $SUITE BOOTSTRAP (host:port)" >&2; exit 2; }
}
