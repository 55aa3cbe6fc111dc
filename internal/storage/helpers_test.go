package storage

import (
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/record"
	"github.com/twmb/franz-go/pkg/kmsg"
)

var testStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// batchSpec describes a test batch.
type batchSpec struct {
	n        int   // records
	valueLen int   // bytes per value
	ts       int64 // base timestamp (ms)
	codec    record.Codec
	pid      int64
	epoch    int16
	seq      int32
	txn      bool
}

func plainBatch(n int, ts int64) batchSpec {
	return batchSpec{n: n, valueLen: 10, ts: ts, pid: -1, epoch: -1, seq: -1}
}

func idemBatch(n int, ts int64, pid int64, epoch int16, seq int32) batchSpec {
	return batchSpec{n: n, valueLen: 10, ts: ts, pid: pid, epoch: epoch, seq: seq}
}

func buildBatch(t testing.TB, s batchSpec) []byte {
	t.Helper()
	recs := make([]kmsg.Record, s.n)
	for i := range recs {
		v := make([]byte, s.valueLen)
		for j := range v {
			v[j] = byte('a' + (i+j)%26)
		}
		recs[i] = kmsg.Record{
			TimestampDelta64: int64(i),
			OffsetDelta:      int32(i),
			Key:              []byte(fmt.Sprintf("k%d", i)),
			Value:            v,
			Headers:          []kmsg.Header{{Key: "h", Value: []byte("v")}},
		}
	}
	h := record.Header{
		PartitionLeaderEpoch: -1,
		LastOffsetDelta:      int32(s.n - 1),
		BaseTimestamp:        s.ts,
		MaxTimestamp:         s.ts + int64(s.n-1),
		ProducerID:           s.pid,
		ProducerEpoch:        s.epoch,
		BaseSequence:         s.seq,
	}
	if s.txn {
		h.Attributes = record.AttrTransactional
	}
	b, err := record.Build(h, recs, s.codec)
	if err != nil {
		t.Fatalf("build batch: %v", err)
	}
	return b
}

type testEnv struct {
	t     testing.TB
	dir   string
	clock *clock.Manual
	m     *Manager
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	e := &testEnv{t: t, dir: t.TempDir(), clock: clock.NewManual(testStart)}
	e.open()
	t.Cleanup(func() {
		if e.m != nil {
			e.m.Close()
		}
	})
	return e
}

func (e *testEnv) open() {
	e.t.Helper()
	m, err := NewManager(ManagerConfig{Dirs: []string{e.dir}, Clock: e.clock, Logger: quietLogger(), Seed: 1})
	if err != nil {
		e.t.Fatalf("NewManager: %v", err)
	}
	e.m = m
}

// restart closes cleanly and reopens.
func (e *testEnv) restart() {
	e.t.Helper()
	if err := e.m.Close(); err != nil {
		e.t.Fatalf("Close: %v", err)
	}
	e.open()
}

// crash drops the manager without a clean shutdown: files are closed as the
// kernel would on process death, nothing is trimmed or checkpointed.
func (e *testEnv) crash() {
	e.t.Helper()
	abandon(e.m)
	e.open()
}

// abandon stops a manager the way a killed process stops: files are closed
// with nothing flushed, trimmed or checkpointed.
func abandon(m *Manager) {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	close(m.stop)
	m.loops.Wait()
	m.env.writeback.drain()
	for _, l := range m.Logs() {
		l.bg.Wait()
		l.mu.Lock()
		l.closed = true
		for _, s := range l.segments {
			s.closeFiles()
		}
		l.mu.Unlock()
	}
	m.delMu.Lock()
	for pd := range m.delTimers {
		if pd.timer.Stop() {
			m.deletes.Done()
		}
	}
	m.delTimers = map[*pendingDelete]struct{}{}
	m.delMu.Unlock()
}

func (e *testEnv) log(topic string, p int32, cfg LogConfig) *Log {
	e.t.Helper()
	l, err := e.m.GetOrCreateLog(topic, p, [16]byte{1, 2, 3}, cfg)
	if err != nil {
		e.t.Fatalf("GetOrCreateLog: %v", err)
	}
	return l
}

func mustAppend(t testing.TB, l *Log, b []byte) AppendResult {
	t.Helper()
	res, err := l.Append(b, AppendOptions{LeaderEpoch: 0, AssignOffsets: true})
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	return res
}

// readAll reads every batch header from start to the log end.
func readAll(t testing.TB, l *Log, from int64) []record.Header {
	t.Helper()
	var out []record.Header
	off := from
	for off < l.LogEndOffset() {
		res, err := l.Read(off, 1<<20, l.LogEndOffset(), true)
		if err != nil {
			t.Fatalf("Read(%d): %v", off, err)
		}
		if len(res.Records) == 0 {
			t.Fatalf("Read(%d) returned nothing below LEO %d", off, l.LogEndOffset())
		}
		rest := res.Records
		for len(rest) > 0 {
			b, r, err := record.NextBatch(rest)
			if err != nil {
				t.Fatalf("NextBatch: %v", err)
			}
			h, err := record.Validate(b)
			if err != nil {
				t.Fatalf("Validate read batch: %v", err)
			}
			out = append(out, h)
			off = h.LastOffset() + 1
			rest = r
		}
	}
	return out
}

func nowMs() int64 { return testStart.UnixMilli() }

func setBase(b []byte, off int64) { record.SetBaseOffset(b, off) }
