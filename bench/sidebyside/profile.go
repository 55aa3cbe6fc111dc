package main

import (
	"fmt"
	"time"
)

// profile sizes every workload. "full" is what `make bench` runs (budgeted
// for under 20 minutes on 2 cores); "smoke" only proves the harness works.
type profile struct {
	name           string
	partitions     int
	recordSize     int
	producers      int
	manyProducers  int
	produceRecords int64 // per maximum-throughput run, over all producers
	fixedRateSecs  float64
	maxFixedRate   float64 // 0: no cap on 50% of Kafka's maximum
	pingPongs      int     // EndToEndLatency round trips
	manyPartitions int
	manySettle     time.Duration // after creating, before measuring idle
	manyIdle       time.Duration
	manyActive     time.Duration
	manyRate       float64
	recoveryBytes  int64
	diskBytes      int64
	loopback       time.Duration
	readyTimeout   time.Duration
	toolTimeout    time.Duration
	// serverProps are extra server.properties lines for both systems.
	serverProps []string
	// quickJVM starts Kafka's client tools with C1 only: they start faster,
	// which matters only when the runs are too short to amortise the JIT.
	quickJVM bool
	// skipExtraRestarts leaves out the restarts that only add a contrast
	// (with many partitions, and clean after kill -9): Kafka's take seconds.
	skipExtraRestarts bool
}

func profileNamed(name string) (profile, error) {
	switch name {
	case "full":
		return profile{
			name: "full", partitions: 16, recordSize: 1024, producers: 4, manyProducers: 32,
			produceRecords: 1_500_000, fixedRateSecs: 20, pingPongs: 2000,
			manyPartitions: 10_000, manySettle: 5 * time.Second, manyIdle: 10 * time.Second, manyActive: 15 * time.Second, manyRate: 1000,
			recoveryBytes: 10 << 30, diskBytes: 2 << 30, loopback: 3 * time.Second,
			readyTimeout: 5 * time.Minute, toolTimeout: 10 * time.Minute,
		}, nil
	case "smoke":
		return profile{
			name: "smoke", partitions: 4, recordSize: 1024, producers: 2, manyProducers: 4,
			produceRecords: 20_000, fixedRateSecs: 1.5, maxFixedRate: 2000, pingPongs: 20,
			manyPartitions: 100, manyIdle: 500 * time.Millisecond, manyActive: time.Second, manyRate: 500,
			recoveryBytes: 32 << 20, diskBytes: 32 << 20, loopback: 300 * time.Millisecond,
			readyTimeout: 2 * time.Minute, toolTimeout: 2 * time.Minute, quickJVM: true,
			skipExtraRestarts: true,
			// A node killed with -9 is fenced only when its session times
			// out; a short session keeps the smoke run's restarts short.
			serverProps: []string{"broker.session.timeout.ms=1500", "broker.heartbeat.interval.ms=300"},
		}, nil
	}
	return profile{}, fmt.Errorf("unknown profile %q (full or smoke)", name)
}
