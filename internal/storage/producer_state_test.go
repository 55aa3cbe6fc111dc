package storage

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

func TestIdempotentProducer(t *testing.T) {
	e := newTestEnv(t)
	l := e.log("t", 0, DefaultLogConfig())
	const pid = 7
	type step struct {
		name      string
		spec      batchSpec
		wantErr   error
		wantFirst int64
		wantDup   bool
	}
	steps := []step{
		{"first", idemBatch(2, nowMs(), pid, 0, 0), nil, 0, false},
		{"second", idemBatch(3, nowMs(), pid, 0, 2), nil, 2, false},
		{"retry of first", idemBatch(2, nowMs(), pid, 0, 0), nil, 0, true},
		{"retry of second", idemBatch(3, nowMs(), pid, 0, 2), nil, 2, true},
		{"gap", idemBatch(1, nowMs(), pid, 0, 9), kerr.OutOfOrderSequenceNumber, 0, false},
		{"new epoch not at 0", idemBatch(1, nowMs(), pid, 1, 5), kerr.OutOfOrderSequenceNumber, 0, false},
		{"new epoch", idemBatch(1, nowMs(), pid, 1, 0), nil, 5, false},
		{"stale epoch", idemBatch(1, nowMs(), pid, 0, 5), kerr.InvalidProducerEpoch, 0, false},
		{"other producer any seq", idemBatch(1, nowMs(), pid+1, 3, 42), nil, 6, false},
		{"next", idemBatch(1, nowMs(), pid, 1, 1), nil, 7, false},
	}
	for _, s := range steps {
		res, err := l.Append(buildBatch(t, s.spec), AppendOptions{AssignOffsets: true})
		if s.wantErr != nil {
			if !errors.Is(err, s.wantErr) {
				t.Fatalf("%s: got %v, want %v", s.name, err, s.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if res.FirstOffset != s.wantFirst || res.Duplicate != s.wantDup {
			t.Fatalf("%s: first %d dup %v, want %d %v", s.name, res.FirstOffset, res.Duplicate, s.wantFirst, s.wantDup)
		}
	}
	if l.LogEndOffset() != 8 {
		t.Fatalf("LEO %d, want 8 (duplicates must not be written)", l.LogEndOffset())
	}

	// Only the last five batches are remembered.
	for i := int32(2); i < 8; i++ {
		mustAppend(t, l, buildBatch(t, idemBatch(1, nowMs(), pid, 1, i)))
	}
	if _, err := l.Append(buildBatch(t, idemBatch(1, nowMs(), pid, 1, 2)), AppendOptions{AssignOffsets: true}); !errors.Is(err, kerr.OutOfOrderSequenceNumber) {
		t.Fatalf("retry older than 5 batches: %v", err)
	}
	res, err := l.Append(buildBatch(t, idemBatch(1, nowMs(), pid, 1, 3)), AppendOptions{AssignOffsets: true})
	if err != nil || !res.Duplicate {
		t.Fatalf("retry of 5th-last batch: %v %+v", err, res)
	}

	// State survives a clean restart (snapshot) and a crash (snapshot of
	// the last roll or none, plus replay of the log).
	for _, how := range []string{"crash", "restart"} {
		if how == "restart" {
			e.restart()
		} else {
			e.crash()
		}
		l = e.m.Log("t", 0)
		res, err = l.Append(buildBatch(t, idemBatch(1, nowMs(), pid, 1, 7)), AppendOptions{AssignOffsets: true})
		if err != nil || !res.Duplicate {
			t.Fatalf("%s: retry after reopen: %v %+v", how, err, res)
		}
		if _, err := l.Append(buildBatch(t, idemBatch(1, nowMs(), pid, 1, 9)), AppendOptions{AssignOffsets: true}); !errors.Is(err, kerr.OutOfOrderSequenceNumber) {
			t.Fatalf("%s: gap after reopen: %v", how, err)
		}
		if _, err := l.Append(buildBatch(t, idemBatch(1, nowMs(), pid, 0, 0)), AppendOptions{AssignOffsets: true}); !errors.Is(err, kerr.InvalidProducerEpoch) {
			t.Fatalf("%s: stale epoch after reopen: %v", how, err)
		}
	}
}

func TestSequenceWrap(t *testing.T) {
	e := newTestEnv(t)
	l := e.log("t", 0, DefaultLogConfig())
	mustAppend(t, l, buildBatch(t, idemBatch(2, nowMs(), 1, 0, math.MaxInt32-1)))
	mustAppend(t, l, buildBatch(t, idemBatch(2, nowMs(), 1, 0, 0)))
	// A batch that itself wraps: last sequence is 1.
	mustAppend(t, l, buildBatch(t, idemBatch(2, nowMs(), 2, 0, math.MaxInt32)))
	mustAppend(t, l, buildBatch(t, idemBatch(1, nowMs(), 2, 0, 1)))
}

func TestProducerExpiry(t *testing.T) {
	e := newTestEnv(t)
	l := e.log("t", 0, DefaultLogConfig())
	mustAppend(t, l, buildBatch(t, idemBatch(1, nowMs(), 5, 0, 0)))
	e.clock.Advance(23 * time.Hour)
	e.m.ExpireProducers()
	if len(l.ProducerStates()) != 1 {
		t.Fatalf("producer expired too early")
	}
	e.clock.Advance(2 * time.Hour)
	e.m.ExpireProducers()
	if len(l.ProducerStates()) != 0 {
		t.Fatalf("producer not expired")
	}
	// An expired producer may continue at any sequence.
	mustAppend(t, l, buildBatch(t, idemBatch(1, e.clock.Now().UnixMilli(), 5, 0, 17)))
}

func TestProducerSnapshotRoundTrip(t *testing.T) {
	ps := map[int64]*producerEntry{
		1: {producerID: 1, epoch: 3, lastTimestamp: 99, coordinatorEpoch: -1, currentTxnFirstOffset: -1,
			batches: []batchMetadata{{firstSeq: 10, lastSeq: 14, firstOffset: 100, lastOffset: 104, timestamp: 99}}},
		2: {producerID: 2, epoch: 0, lastTimestamp: 5, coordinatorEpoch: 4, currentTxnFirstOffset: 7,
			batches: []batchMetadata{{firstSeq: math.MaxInt32, lastSeq: 1, firstOffset: 8, lastOffset: 10, timestamp: 5}}},
	}
	b := encodeProducerSnapshot(ps)
	if len(b) != 6+4+2*producerSnapshotEntrySize {
		t.Fatalf("snapshot size %d", len(b))
	}
	got, err := decodeProducerSnapshot(b)
	if err != nil {
		t.Fatal(err)
	}
	for pid, want := range ps {
		g := got[pid]
		if g == nil || g.epoch != want.epoch || g.lastTimestamp != want.lastTimestamp || g.coordinatorEpoch != want.coordinatorEpoch ||
			g.currentTxnFirstOffset != want.currentTxnFirstOffset || len(g.batches) != 1 || g.batches[0] != want.batches[0] {
			t.Fatalf("pid %d: got %+v, want %+v", pid, g, want)
		}
	}
	b[len(b)-1] ^= 1
	if _, err := decodeProducerSnapshot(b); err == nil {
		t.Fatalf("corrupt snapshot accepted")
	}
}
