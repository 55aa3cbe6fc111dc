package storage

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/odradek/odradek/internal/record"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// keyedBatch builds a batch of records with the given keys and values (a
// nil value is a tombstone).
func keyedBatch(t *testing.T, ts int64, codec record.Codec, kv ...string) []byte {
	t.Helper()
	var recs []kmsg.Record
	for i := 0; i+1 < len(kv); i += 2 {
		r := kmsg.Record{OffsetDelta: int32(i / 2), Key: []byte(kv[i])}
		if kv[i+1] != "<nil>" {
			r.Value = []byte(kv[i+1])
		}
		recs = append(recs, r)
	}
	n := len(recs)
	b, err := record.Build(record.Header{PartitionLeaderEpoch: -1, LastOffsetDelta: int32(n - 1), BaseTimestamp: ts, MaxTimestamp: ts,
		ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1}, recs, codec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readRecords returns offset -> "key=value" for every record in the log.
func readRecords(t *testing.T, l *Log) map[int64]string {
	t.Helper()
	out := map[int64]string{}
	res, err := l.Read(l.LogStartOffset(), 1<<30, l.LogEndOffset(), true)
	if err != nil {
		t.Fatal(err)
	}
	for off := l.LogStartOffset(); off < l.LogEndOffset(); {
		res, err = l.Read(off, 1<<30, l.LogEndOffset(), true)
		if err != nil || len(res.Records) == 0 {
			t.Fatalf("read at %d: %v", off, err)
		}
		rest := res.Records
		for len(rest) > 0 {
			b, r, err := record.NextBatch(rest)
			if err != nil {
				t.Fatal(err)
			}
			rest = r
			h, err := record.Validate(b)
			if err != nil {
				t.Fatalf("cleaned batch invalid: %v", err)
			}
			recs, err := record.Records(&h, b)
			if err != nil {
				t.Fatal(err)
			}
			for _, rec := range recs {
				v := "<nil>"
				if rec.Value != nil {
					v = string(rec.Value)
				}
				out[h.BaseOffset+int64(rec.OffsetDelta)] = string(rec.Key) + "=" + v
			}
			off = h.LastOffset() + 1
		}
	}
	return out
}

func TestCleanerKeepsLatestPerKey(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	cfg.CleanupPolicy = "compact"
	cfg.SegmentBytes = 300
	cfg.DeleteRetentionMs = 3600 * 1000
	l := e.log("c", 0, cfg)
	ts := nowMs()
	// offsets: 0 a=1 b=1 | 2 a=2 c=1 | 4 b=<nil> d=1 | 6 a=3 | 7 e=1 (active)
	for _, kv := range [][]string{{"a", "1", "b", "1"}, {"a", "2", "c", "1"}, {"b", "<nil>", "d", "1"}, {"a", "3"}, {"e", "1"}} {
		codec := record.CodecNone
		if kv[0] == "c" {
			codec = record.CodecZstd
		}
		mustAppend(t, l, keyedBatch(t, ts, codec, kv...))
		if err := l.Roll(); err != nil {
			t.Fatal(err)
		}
	}
	l.SetHighWatermark(l.LogEndOffset())
	if err := e.m.RunCleaner(); err != nil {
		t.Fatal(err)
	}
	got := readRecords(t, l)
	want := map[int64]string{3: "c=1", 4: "b=<nil>", 5: "d=1", 6: "a=3", 7: "e=1"}
	if len(got) != len(want) {
		t.Fatalf("after cleaning: %v, want %v", got, want)
	}
	for off, kv := range want {
		if got[off] != kv {
			t.Fatalf("offset %d: %q, want %q (all %v)", off, got[off], kv, got)
		}
	}
	if l.LogEndOffset() != 8 || l.LogStartOffset() != 0 {
		t.Fatalf("offsets moved: start %d end %d", l.LogStartOffset(), l.LogEndOffset())
	}
	// Once the tombstone is older than delete.retention.ms it goes too
	// (with a ratio low enough for the small new dirty section).
	cfg.MinCleanableDirtyRatio = 0.01
	if err := l.UpdateConfig(cfg); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Hour)
	mustAppend(t, l, keyedBatch(t, e.clock.Now().UnixMilli(), record.CodecNone, "f", "1"))
	l.Roll()
	mustAppend(t, l, keyedBatch(t, e.clock.Now().UnixMilli(), record.CodecNone, "g", "1"))
	l.SetHighWatermark(l.LogEndOffset())
	if err := e.m.RunCleaner(); err != nil {
		t.Fatal(err)
	}
	if got := readRecords(t, l); got[4] != "" || got[5] != "d=1" {
		t.Fatalf("tombstone not removed after delete.retention.ms: %v", got)
	}
	// The checkpoint survives a restart and the log reloads cleanly.
	e.restart()
	l = e.m.Log("c", 0)
	if got := readRecords(t, l); got[6] != "a=3" || got[8] != "f=1" {
		t.Fatalf("after restart: %v", got)
	}
	if b, err := os.ReadFile(filepath.Join(e.dir, cleanerCheckpointFile)); err != nil || len(b) == 0 {
		t.Fatalf("cleaner checkpoint: %v", err)
	}
}

func TestCleanerRespectsHighWatermarkAndPolicy(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	cfg.CleanupPolicy = "compact"
	l := e.log("c", 0, cfg)
	mustAppend(t, l, keyedBatch(t, nowMs(), record.CodecNone, "a", "1"))
	l.Roll()
	mustAppend(t, l, keyedBatch(t, nowMs(), record.CodecNone, "a", "2"))
	l.Roll()
	e.m.RunCleaner() // high watermark 0: nothing is cleanable
	if len(readRecords(t, l)) != 2 {
		t.Fatalf("cleaned above the high watermark")
	}
	d := e.log("d", 0, DefaultLogConfig()) // delete policy: never compacted
	mustAppend(t, d, keyedBatch(t, nowMs(), record.CodecNone, "a", "1"))
	d.Roll()
	mustAppend(t, d, keyedBatch(t, nowMs(), record.CodecNone, "a", "2"))
	d.Roll()
	d.SetHighWatermark(d.LogEndOffset())
	e.m.RunCleaner()
	if len(readRecords(t, d)) != 2 {
		t.Fatalf("a delete-policy log was compacted")
	}
}

func TestCompleteInterruptedSwap(t *testing.T) {
	full, _ := buildLog(t, 10)
	dir := t.TempDir()
	restoreDir(t, dir, full)
	p := filepath.Join(dir, "t-0")
	logName := filepath.Join(p, "00000000000000000000.log")
	// Crash after the old segment became .deleted and before the swap
	// took its name: the swap must win, the old files must go.
	os.Rename(logName, logName+deletedSuffix)
	os.WriteFile(logName+swapSuffix, full["t-0/00000000000000000000.log"], 0o644)
	m := openDir(t, dir)
	defer m.Close()
	if got := m.Log("t", 0).LogEndOffset(); got != 19 {
		t.Fatalf("LEO after completing the swap: %d", got)
	}
	if _, err := os.Stat(logName + swapSuffix); !os.IsNotExist(err) {
		t.Fatalf("swap file left")
	}
}

func TestCleanerKeepsProducerBatches(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	cfg.CleanupPolicy = "compact"
	l := e.log("c", 0, cfg)
	s := idemBatch(2, nowMs(), 9, 0, 0) // keys k0, k1
	mustAppend(t, l, buildBatch(t, s))
	l.Roll()
	mustAppend(t, l, keyedBatch(t, nowMs(), record.CodecNone, "k0", "x", "k1", "y"))
	l.Roll()
	l.SetHighWatermark(l.LogEndOffset())
	if err := e.m.RunCleaner(); err != nil {
		t.Fatal(err)
	}
	if got := readRecords(t, l); len(got) != 2 {
		t.Fatalf("superseded records kept: %v", got)
	}
	// As in Kafka the producer's last batch stays, emptied, so producer
	// state can be rebuilt from the log.
	hs := readAll(t, l, 0)
	if len(hs) != 2 || hs[0].RecordCount != 0 || hs[0].ProducerID != 9 || hs[0].LastOffset() != 1 || hs[0].BaseSequence != 0 {
		t.Fatalf("producer batch not kept empty: %+v", hs)
	}
	// Its sequence state is intact, also when rebuilt from the log alone
	// after a crash.
	snaps, _ := filepath.Glob(filepath.Join(l.Dir(), "*"+snapshotSuffix))
	for _, p := range snaps {
		os.Remove(p)
	}
	e.crash()
	l = e.log("c", 0, cfg)
	if _, err := l.Append(buildBatch(t, idemBatch(1, nowMs(), 9, 0, 5)), AppendOptions{AssignOffsets: true}); err == nil {
		t.Fatalf("out-of-sequence batch accepted: producer state was lost")
	}
	mustAppend(t, l, buildBatch(t, idemBatch(1, nowMs(), 9, 0, 2)))
}

func TestCleanerConcurrentWithAppends(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	cfg.CleanupPolicy = "compact"
	cfg.SegmentBytes = 400
	cfg.MinCleanableDirtyRatio = 0.01
	l := e.log("c", 0, cfg)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			if _, err := l.Append(keyedBatch(t, nowMs(), record.CodecNone, "k"+string(rune('a'+i%5)), "v"), AppendOptions{AssignOffsets: true}); err != nil {
				t.Errorf("append: %v", err)
				return
			}
			l.SetHighWatermark(l.LogEndOffset())
		}
	}()
	for i := 0; i < 20; i++ {
		if err := e.m.RunCleaner(); err != nil {
			t.Fatal(err)
		}
		end := l.LogEndOffset()
		if _, err := l.Read(l.LogStartOffset(), 1<<20, end, true); err != nil {
			t.Fatal(err)
		}
	}
	<-done
	l.Roll()
	l.SetHighWatermark(l.LogEndOffset())
	if err := e.m.RunCleaner(); err != nil {
		t.Fatal(err)
	}
	got := readRecords(t, l)
	if len(got) != 5 {
		t.Fatalf("after compaction %d records, want one per key: %v", len(got), got)
	}
}
