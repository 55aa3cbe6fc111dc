# shellcheck shell=bash
# Shared helpers for the shell suites; source it, do not run it.
# INTEROP_DIR is test/interop; LIB the jars install-deps.sh copied there.
INTEROP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIB="$INTEROP_DIR/lib"
SUITE="$(basename "$0")"

# fail ends the suite, or, inside a check that `eventually` retries, just that attempt.
fail() {
  if [ -n "${RETRYING:-}" ]; then
    echo "not yet [$SUITE]: $*" >&2
  else
    echo "FAIL [$SUITE]: $*" >&2
  fi
  exit 1
}
step() { echo "--- [$SUITE] $*"; }

# unique_name gives each run its own topics, so suites never see records of an earlier run.
unique_name() { echo "interop-$1-$(date +%s)-$$-$RANDOM"; }

# JVM flags for short-lived tool JVMs: the C1 compiler only and class-data sharing start a JVM
# fast, which is what these suites are bound by. JVM logging goes to stderr (errors only), so
# stdout holds just what the tool printed.
JVM_FLAGS=(-Xmx512M -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto
  -Xlog:disable -Xlog:all=error:stderr
  "-Dlog4j2.configurationFile=$INTEROP_DIR/java/log4j2.properties")

# run_java MAINCLASS ARGS... runs a Kafka tool or one of our Java programs on the jars in lib/.
# The first run of each main class also dumps the classes it loaded into lib/cds/MAINCLASS.jsa,
# and later runs map that archive instead of loading and verifying those classes again, which
# roughly halves the start-up cost of the CLI tools. A stale archive (different JDK or jars) is
# ignored by the JVM; install-deps.sh drops lib/cds whenever it replaces jars.
# INTEROP_NO_CDS=1 turns this off.
run_java() {
  local main="$1"
  shift
  compgen -G "$LIB/kafka-clients-*.jar" >/dev/null || fail "no Kafka jars in $LIB: run test/interop/install-deps.sh"
  local jsa="$LIB/cds/$main.jsa" tmp="" cds=()
  if [ -n "${INTEROP_NO_CDS:-}" ]; then
    :
  elif [ -f "$jsa" ]; then
    cds=(-XX:SharedArchiveFile="$jsa")
  else
    mkdir -p "$LIB/cds"
    tmp="$jsa.$$.$RANDOM.tmp"
    cds=(-XX:ArchiveClassesAtExit="$tmp")
  fi
  local rc=0
  java "${JVM_FLAGS[@]}" "${cds[@]}" -cp "$LIB/*" "$main" "$@" || rc=$?
  if [ -n "$tmp" ]; then
    # Concurrent first runs each dump their own file; whichever lands last wins, all are valid.
    if [ "$rc" = 0 ] && [ -f "$tmp" ]; then mv -f "$tmp" "$jsa"; else rm -f "$tmp"; fi
  fi
  return "$rc"
}

need_bootstrap() {
  [ -n "${1:-}" ] || { echo "usage: $SUITE BOOTSTRAP (host:port)" >&2; exit 2; }
}
