#!/usr/bin/env bash
# Installs what `make bench` needs beyond the Go toolchain: the Apache Kafka jars, a JDK and the
# Kafka client tools (through test/interop/install-deps.sh, which pins Kafka in
# test/interop/java/pom.xml), and bench/.venv with matplotlib for the latency plot.
# Idempotent: a second run takes about a second.
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
