#!/usr/bin/env bash
# Installs everything the interop suites run, on Debian 12 as root (or with sudo), reaching only
# Debian's apt archive, PyPI, Maven Central and npm. Idempotent: each step checks a stamp or a probe
# first, so a second run takes about a second.
#
#   - apt: kcat, a JDK 17 (java + javac), maven, python3-venv, prometheus (with promtool) (apt-get
#     update only when something is missing)
#   - test/interop/.venv with confluent-kafka (pinned below)
#   - Kafka jars (pinned in java/pom.xml) resolved into test/interop/.m2 and copied to
#     test/interop/lib
#   - the Java test programs compiled into test/interop/lib/interop-suites.jar
#   - for the console browser test: chromium from apt, playwright-core (pinned in
#     console/package-lock.json) from npm into test/interop/console/node_modules
set -euo pipefail

CONFLUENT_KAFKA_VERSION=2.16.1

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$dir"
t0=$SECONDS

log() { echo "install-deps: $*" >&2; }
die() { echo "install-deps: ERROR: $*" >&2; exit 1; }

# ---- system packages -------------------------------------------------------------------------
apt_install() {
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "need root (or sudo) to apt-get install $*"
    sudo=sudo
  fi
  log "apt-get install $*"
  local t=$SECONDS
  $sudo apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get install $* failed"
  log "apt-get took $((SECONDS - t))s"
}

missing=()
# Maven and pip reach their registries over TLS; minimal images ship without the CA bundle.
[ -f /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)
command -v kcat >/dev/null || missing+=(kcat)
command -v javac >/dev/null || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || missing+=(maven)
command -v python3 >/dev/null || missing+=(python3 python3-venv)
# The monitoring suites run a real Prometheus and promtool against docs/monitoring.
{ command -v prometheus >/dev/null && command -v promtool >/dev/null; } || missing+=(prometheus)
# The console browser test drives Debian's Chromium with playwright-core from npm.
command -v chromium >/dev/null || missing+=(chromium)
command -v npm >/dev/null || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

# ---- Kafka jars --------------------------------------------------------------------------------
pom_sum="$(sha256sum java/pom.xml | cut -d' ' -f1)"
if [ "$(cat lib/.stamp 2>/dev/null)" != "$pom_sum" ]; then
  log "resolving Kafka jars from Maven Central (java/pom.xml)"
  t=$SECONDS
  rm -rf lib
  # The repo-local .m2 keeps CI and developers off ~/.m2 and makes the cache easy to drop.
  mkdir -p .m2
  if ! (cd java && mvn -B -q -Dstyle.color=never -Dmaven.repo.local="$dir/.m2" \
      dependency:copy-dependencies -DoutputDirectory="$dir/lib") >.m2/mvn.log 2>&1; then
    tail -n 40 .m2/mvn.log >&2
    die "maven dependency resolution failed (full log: test/interop/.m2/mvn.log)"
  fi
  compgen -G "lib/kafka_2.13-*.jar" >/dev/null || die "maven ran but lib/ has no kafka_2.13 jar"
  echo "$pom_sum" >lib/.stamp
  log "maven took $((SECONDS - t))s"
fi

# ---- Java test programs ------------------------------------------------------------------------
# Packed as lib/interop-suites.jar, so every JVM the suites start has only jars on its class path
# (class-data sharing archives, see suites/common.sh, accept no class directories).
mapfile -t java_src < <(find java/src -name '*.java' 2>/dev/null | sort)
if [ ${#java_src[@]} -gt 0 ]; then
  src_sum="$( (cat "${java_src[@]}"; cat lib/.stamp) | sha256sum | cut -d' ' -f1)"
  if [ "$(cat lib/interop-suites.stamp 2>/dev/null)" != "$src_sum" ]; then
    log "compiling ${#java_src[@]} Java test programs"
    java_major="$(javac -version 2>&1 | sed -n 's/^javac \([0-9]*\).*/\1/p')"
    if [ -z "$java_major" ] || [ "$java_major" -lt 17 ]; then
      die "Kafka 4.x needs JDK 17 or newer, javac reports '$(javac -version 2>&1)'"
    fi
    rm -rf java/classes lib/interop-suites.jar lib/cds
    mkdir -p java/classes
    javac -nowarn -encoding UTF-8 --release 17 -d java/classes -cp "lib/*" "${java_src[@]}" \
      || die "javac failed"
    jar cf lib/interop-suites.jar -C java/classes . || die "jar failed"
    echo "$src_sum" >lib/interop-suites.stamp
  fi
fi

# ---- Python venv -------------------------------------------------------------------------------
venv_ok() {
  [ -x .venv/bin/python ] && .venv/bin/python -c "
import confluent_kafka, importlib.metadata, sys
sys.exit(0 if importlib.metadata.version('confluent-kafka') == '$CONFLUENT_KAFKA_VERSION' else 1)" 2>/dev/null
}
if ! venv_ok; then
  log "creating .venv with confluent-kafka==$CONFLUENT_KAFKA_VERSION"
  t=$SECONDS
  # Debian splits ensurepip out of python3; without python3-venv `python3 -m venv` fails.
  python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
  rm -rf .venv
  python3 -m venv .venv || die "python3 -m venv failed"
  .venv/bin/pip install -q --disable-pip-version-check "confluent-kafka==$CONFLUENT_KAFKA_VERSION" \
    || die "pip install confluent-kafka==$CONFLUENT_KAFKA_VERSION failed"
  venv_ok || die "confluent-kafka $CONFLUENT_KAFKA_VERSION does not import from .venv"
  log "venv took $((SECONDS - t))s"
fi

# ---- console browser test -----------------------------------------------------------------------
# playwright-core pinned in console/package-lock.json, installed into console/node_modules
# (git-ignored); it downloads no browser of its own.
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
[ "$node_major" -ge 20 ] || die "the console browser test needs Node.js 20 or newer for playwright-core, found $(node --version 2>&1)"
lock_sum="$(sha256sum console/package-lock.json | cut -d' ' -f1)"
if [ "$(cat console/node_modules/.stamp 2>/dev/null)" != "$lock_sum" ]; then
  log "installing playwright-core (console/package-lock.json)"
  (cd console && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci in test/interop/console failed"
  echo "$lock_sum" >console/node_modules/.stamp
fi

log "ready in $((SECONDS - t0))s (kcat $(kcat -V 2>&1 | sed -n 's/^Version \([^ ]*\).*/\1/p'), $(basename lib/kafka-clients-*.jar .jar), confluent-kafka $CONFLUENT_KAFKA_VERSION)"
