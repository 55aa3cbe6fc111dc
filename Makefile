# Odradek build and test entry points. `make test` is what CI runs.
GO ?= go
export GOFLAGS ?= -mod=mod

.PHONY: all build test test-go test-interop interop-deps bench bench-rebalance fuzz clean

all: build

build:
	$(GO) build -o bin/odradek ./cmd/odradek

# Every test: Go unit, API and end-to-end tests, then the interop suites with
# real clients (installed by interop-deps on first use).
test: test-go test-interop

test-go:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 15m ./...

test-interop: build interop-deps
	ODRADEK_BIN=$(CURDIR)/bin/odradek $(GO) test -count=1 -timeout 20m -tags interop ./test/interop/...

interop-deps:
	bash test/interop/install-deps.sh

# Recorded, never asserted: go benchmarks for the hot paths.
bench:
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
