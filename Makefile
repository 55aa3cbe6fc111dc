# Odradek build and test entry points. `make test` is what CI runs.
GO ?= go
export GOFLAGS ?= -mod=mod

.PHONY: all build test test-go test-interop interop-deps bench bench-deps bench-smoke bench-micro bench-rebalance fuzz clean

all: build

build:
	$(GO) build -o bin/odradek ./cmd/odradek

# Every test: Go unit, API and end-to-end tests, then the interop suites with
# real clients (installed by interop-deps on first use), then the side-by-side
# benchmark harness with tiny sizes.
test: test-go test-interop bench-smoke

test-go:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 15m ./...

test-interop: build interop-deps
	ODRADEK_BIN=$(CURDIR)/bin/odradek $(GO) test -count=1 -timeout 20m -tags interop ./test/interop/...

interop-deps:
	bash test/interop/install-deps.sh

# Apache Kafka and Odradek side by side on this machine, with the disk and
# loopback limits beside them (under 20 minutes on 2 cores). Writes
# bench/results/<time>.json, the table in docs/benchmarks.md and
# docs/bench-latency.png. Recorded, never asserted.
bench: build bench-deps
	$(GO) run ./bench/sidebyside -profile full -kafka-lib bench/lib

bench-deps:
	bash bench/install-deps.sh

# The side-by-side harness end to end with tiny sizes against both systems:
# checks that it still works, not how fast anything is.
bench-smoke: build interop-deps
	ODRADEK_BIN=$(CURDIR)/bin/odradek $(GO) test -count=1 -timeout 10m -tags interop -run TestSmoke ./bench/sidebyside

# Recorded, never asserted: go benchmarks for the hot paths.
bench-micro:
	$(GO) test -run XXX -bench . -benchtime 2s -benchmem ./internal/storage ./internal/controller

# A ninth consumer joins eight on 48 partitions: how long existing members
# pause, per group protocol (about a minute).
bench-rebalance:
	$(GO) test -count=1 -tags bench -run TestRebalanceGaps -v ./bench/rebalance

fuzz:
	$(GO) test -run XXX -fuzz FuzzRequestDecoding -fuzztime 60s ./internal/network
	$(GO) test -run XXX -fuzz FuzzBatch -fuzztime 60s ./internal/record

clean:
	rm -rf bin
