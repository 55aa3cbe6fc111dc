#!/usr/bin/env bash
# Installs what `make bench` needs beyond the Go toolchain: a JDK and the pinned Kafka jars of the
# interop suites (test/interop/install-deps.sh), the newest Apache Kafka 4.x release on Maven
# Central whose kafka_2.13 and kafka-tools artifacts are both published (into bench/.m2 and
# bench/lib; when that is the interop pin, bench/lib links to test/interop/lib), and bench/.venv
# with matplotlib for the latency plot. Idempotent: a second run takes about a second.
#
#   bench/install-deps.sh            everything
#   bench/install-deps.sh --no-plot  skip the venv (the harness then skips the plot)
set -euo pipefail

MATPLOTLIB_VERSION=3.10.9

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$dir/.." && pwd)"
log() { echo "bench/install-deps: $*" >&2; }
die() { echo "bench/install-deps: ERROR: $*" >&2; exit 1; }

bash "$repo/test/interop/install-deps.sh"

# ---- the newest Kafka 4.x --------------------------------------------------------------------
central=https://repo1.maven.org/maven2/org/apache/kafka
pinned="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$repo/test/interop/java/pom.xml")"
newest=""
if versions="$(curl -fsS --max-time 20 "$central/kafka_2.13/maven-metadata.xml" 2>/dev/null)"; then
  for v in $(grep -o '<version>4\.[0-9]*\.[0-9]*</version>' <<<"$versions" | sed 's:</*version>::g' | sort -rV); do
    # A release is usable once both artifacts the harness runs are on Central.
    if curl -fsSI --max-time 20 "$central/kafka-tools/$v/kafka-tools-$v.jar" >/dev/null 2>&1; then
      newest="$v"
      break
    fi
    log "Kafka $v: kafka-tools is not on Maven Central (yet), trying an older release"
  done
fi
if [ -z "$newest" ]; then
  log "could not read Kafka's releases from Maven Central; using the interop pin $pinned"
  newest="$pinned"
fi
if [ "$newest" = "$pinned" ]; then
  if [ "$(readlink "$dir/lib" 2>/dev/null)" != "../test/interop/lib" ]; then
    rm -rf "$dir/lib"
    ln -s ../test/interop/lib "$dir/lib"
  fi
elif [ "$(cat "$dir/lib/.stamp" 2>/dev/null)" != "$newest" ]; then
  log "resolving Apache Kafka $newest from Maven Central into bench/lib"
  rm -rf "$dir/lib"
  mkdir -p "$dir/.m2"
  if ! (cd "$repo/test/interop/java" && mvn -B -q -Dstyle.color=never -Dkafka.version="$newest" \
      -Dmaven.repo.local="$dir/.m2" dependency:copy-dependencies -DoutputDirectory="$dir/lib") \
      >"$dir/.m2/mvn.log" 2>&1; then
    tail -n 20 "$dir/.m2/mvn.log" >&2
    die "maven could not resolve Kafka $newest (full log: bench/.m2/mvn.log)"
  fi
  echo "$newest" >"$dir/lib/.stamp"
fi
log "Apache Kafka for the benchmark: $newest (bench/lib)"

[ "${1:-}" = "--no-plot" ] && exit 0

venv_ok() {
  [ -x "$dir/.venv/bin/python" ] && "$dir/.venv/bin/python" -c "
import importlib.metadata, sys
import matplotlib
sys.exit(0 if importlib.metadata.version('matplotlib') == '$MATPLOTLIB_VERSION' else 1)" 2>/dev/null
}
if ! venv_ok; then
  log "creating bench/.venv with matplotlib==$MATPLOTLIB_VERSION"
  rm -rf "$dir/.venv"
  python3 -m venv "$dir/.venv" || die "python3 -m venv failed (apt-get install python3-venv)"
  "$dir/.venv/bin/pip" install -q --disable-pip-version-check "matplotlib==$MATPLOTLIB_VERSION" \
    || die "pip install matplotlib==$MATPLOTLIB_VERSION failed"
  venv_ok || die "matplotlib $MATPLOTLIB_VERSION does not import from bench/.venv"
fi
log "ready"
