package storage

import (
	"errors"
	"os"
	"testing"

	"github.com/odradek/odradek/internal/record"
	"github.com/twmb/franz-go/pkg/kerr"
)

func txnBatch(n int, pid int64, epoch int16, seq int32) batchSpec {
	s := idemBatch(n, nowMs(), pid, epoch, seq)
	s.txn = true
	return s
}

func appendMarker(t *testing.T, l *Log, pid int64, epoch int16, coordEpoch int32, commit bool) (AppendResult, error) {
	t.Helper()
	return l.Append(record.BuildTxnMarker(pid, epoch, coordEpoch, commit, nowMs()), AppendOptions{AssignOffsets: true, Origin: OriginCoordinator})
}

func TestTransactions(t *testing.T) {
	e := newTestEnv(t)
	l := e.log("t", 0, DefaultLogConfig())
	mustAppend(t, l, buildBatch(t, txnBatch(2, 10, 0, 0)))  // 0-1, txn of 10
	mustAppend(t, l, buildBatch(t, plainBatch(2, nowMs()))) // 2-3
	mustAppend(t, l, buildBatch(t, txnBatch(1, 11, 0, 0)))  // 4, txn of 11
	l.SetHighWatermark(l.LogEndOffset())
	if got := l.LastStableOffset(); got != 0 {
		t.Fatalf("LSO with open transaction at 0: %d", got)
	}
	if _, err := l.Append(buildBatch(t, idemBatch(1, nowMs(), 10, 0, 2)), AppendOptions{AssignOffsets: true}); !errors.Is(err, kerr.InvalidTxnState) {
		t.Fatalf("non-transactional write inside a transaction: %v", err)
	}
	if _, err := l.Append(record.BuildTxnMarker(10, 0, 1, false, nowMs()), AppendOptions{AssignOffsets: true}); !errors.Is(err, kerr.InvalidRecord) {
		t.Fatalf("client wrote a control batch: %v", err)
	}
	res, err := appendMarker(t, l, 10, 0, 3, false) // abort at 5
	if err != nil || res.FirstOffset != 5 {
		t.Fatalf("abort marker: %v %+v", err, res)
	}
	// Marker above the high watermark: the aborted transaction still
	// holds the LSO... and so does producer 11's open one at 4.
	if got := l.LastStableOffset(); got != 0 {
		t.Fatalf("LSO before the marker is replicated: %d", got)
	}
	l.SetHighWatermark(l.LogEndOffset())
	if got := l.LastStableOffset(); got != 4 {
		t.Fatalf("LSO after abort: %d, want 4 (producer 11 still open)", got)
	}
	if _, err := appendMarker(t, l, 10, 0, 2, true); !errors.Is(err, kerr.TransactionCoordinatorFenced) {
		t.Fatalf("marker from an older coordinator: %v", err)
	}
	if _, err := appendMarker(t, l, 11, 0, 3, true); err != nil { // commit at 6
		t.Fatal(err)
	}
	l.SetHighWatermark(l.LogEndOffset())
	if got := l.LastStableOffset(); got != 7 {
		t.Fatalf("LSO with no open transaction: %d", got)
	}
	want := []AbortedTxn{{ProducerID: 10, FirstOffset: 0, LastOffset: 5, LastStableOffset: 4}}
	check := func(when string) {
		t.Helper()
		got := l.AbortedTransactions(0, l.LogEndOffset())
		if len(got) != 1 || got[0] != want[0] {
			t.Fatalf("%s: aborted transactions %+v, want %+v", when, got, want)
		}
		if got := l.AbortedTransactions(6, 7); len(got) != 0 {
			t.Fatalf("%s: aborted transactions after the abort: %+v", when, got)
		}
	}
	check("live")
	st, err := os.Stat(offsetFileName(l.Dir(), 0, txnIndexSuffix))
	if err != nil || st.Size() != txnIndexEntrySize {
		t.Fatalf(".txnindex: %v", err)
	}
	// An open transaction survives restarts through the snapshot.
	mustAppend(t, l, buildBatch(t, txnBatch(1, 12, 0, 0))) // 7
	e.restart()
	l = e.m.Log("t", 0)
	check("after restart")
	l.SetHighWatermark(l.LogEndOffset())
	if got := l.LastStableOffset(); got != 7 {
		t.Fatalf("LSO after restart: %d", got)
	}
	// After a crash the .txnindex is rebuilt from the log.
	os.Remove(offsetFileName(l.Dir(), 0, txnIndexSuffix))
	os.Remove(offsetFileName(l.Dir(), 0, indexSuffix))
	for _, s := range listSnapshotsOrFail(t, l.Dir()) {
		os.Remove(offsetFileName(l.Dir(), s, snapshotSuffix))
	}
	e.crash()
	l = e.m.Log("t", 0)
	check("after crash")
	l.SetHighWatermark(l.LogEndOffset())
	if got := l.LastStableOffset(); got != 7 {
		t.Fatalf("LSO after crash: %d", got)
	}
}

func listSnapshotsOrFail(t *testing.T, dir string) []int64 {
	t.Helper()
	s, err := listSnapshots(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestEpochBumpedByMarker(t *testing.T) {
	e := newTestEnv(t)
	l := e.log("t", 0, DefaultLogConfig())
	mustAppend(t, l, buildBatch(t, txnBatch(2, 20, 0, 0)))
	// Transactions v2: the coordinator ends the transaction with a bumped epoch.
	if _, err := appendMarker(t, l, 20, 1, 0, true); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(buildBatch(t, txnBatch(1, 20, 1, 2)), AppendOptions{AssignOffsets: true}); !errors.Is(err, kerr.OutOfOrderSequenceNumber) {
		t.Fatalf("first batch after an epoch bump not at sequence 0: %v", err)
	}
	mustAppend(t, l, buildBatch(t, txnBatch(1, 20, 1, 0)))
	if _, err := l.Append(buildBatch(t, txnBatch(1, 20, 0, 2)), AppendOptions{AssignOffsets: true}); !errors.Is(err, kerr.InvalidProducerEpoch) {
		t.Fatalf("write with the old epoch: %v", err)
	}
}
