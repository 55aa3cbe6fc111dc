package storage

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/odradek/odradek/internal/record"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func compactConfig() LogConfig {
	cfg := DefaultLogConfig()
	cfg.CleanupPolicy = "compact"
	cfg.MinCleanableDirtyRatio = 0.01
	cfg.DeleteRetentionMs = 3600 * 1000
	return cfg
}

// appendRolled appends one keyed batch per kv list, each in its own
// segment, then moves the high watermark to the end.
func appendRolled(t *testing.T, l *Log, ts int64, batches ...[]string) {
	t.Helper()
	for _, kv := range batches {
		mustAppend(t, l, keyedBatch(t, ts, record.CodecNone, kv...))
		if err := l.Roll(); err != nil {
			t.Fatal(err)
		}
	}
	l.SetHighWatermark(l.LogEndOffset())
}

func runCleaner(t *testing.T, e *testEnv) {
	t.Helper()
	if err := e.m.RunCleaner(); err != nil {
		t.Fatal(err)
	}
}

func TestCleanerDeleteHorizon(t *testing.T) {
	e := newTestEnv(t)
	cfg := compactConfig()
	l := e.log("c", 0, cfg)
	ts := nowMs() - 5000
	appendRolled(t, l, ts, []string{"a", "1", "b", "1"}, []string{"b", "<nil>", "c", "1"})
	runCleaner(t, e)
	hs := readAll(t, l, 0)
	var tomb record.Header
	for _, h := range hs {
		if h.BaseOffset == 2 {
			tomb = h
		}
	}
	horizon, ok := tomb.DeleteHorizon()
	if want := e.clock.Now().UnixMilli() + cfg.DeleteRetentionMs; !ok || horizon != want {
		t.Fatalf("tombstone batch horizon %d %v, want %d set (attributes %#x)", horizon, ok, want, tomb.Attributes)
	}
	// The records keep their own timestamps.
	res, err := l.Read(2, 1<<20, l.LogEndOffset(), true)
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := record.NextBatch(res.Records)
	h, _ := record.Validate(b)
	recs, _ := record.Records(&h, b)
	for _, r := range recs {
		if got := h.BaseTimestamp + r.TimestampDelta64; got != ts {
			t.Fatalf("record timestamp %d after stamping, want %d", got, ts)
		}
	}
	if got := readRecords(t, l); got[2] != "b=<nil>" {
		t.Fatalf("tombstone removed before its horizon: %v", got)
	}
	// Just before the horizon nothing changes; at it, the pass the passed
	// horizon triggers (nothing new is dirty) removes the tombstone.
	e.clock.Advance(time.Duration(cfg.DeleteRetentionMs-1) * time.Millisecond)
	runCleaner(t, e)
	if got := readRecords(t, l); got[2] != "b=<nil>" {
		t.Fatalf("tombstone removed before its horizon: %v", got)
	}
	e.clock.Advance(time.Millisecond)
	runCleaner(t, e)
	got := readRecords(t, l)
	if _, ok := got[2]; ok || got[0] != "a=1" || got[3] != "c=1" || len(got) != 2 {
		t.Fatalf("after the horizon: %v", got)
	}
}

func TestCleanerDirtyRatio(t *testing.T) {
	for _, tc := range []struct {
		ratio float64
		clean bool
	}{{0.5, true}, {0.99, true}, {1, false}} {
		t.Run(fmt.Sprint(tc.ratio), func(t *testing.T) {
			e := newTestEnv(t)
			cfg := compactConfig()
			cfg.MinCleanableDirtyRatio = tc.ratio
			l := e.log("c", 0, cfg)
			appendRolled(t, l, nowMs(), []string{"a", "1"}, []string{"a", "2"})
			runCleaner(t, e)
			if got := len(readRecords(t, l)); (got == 1) != tc.clean {
				t.Fatalf("ratio %v: %d records left", tc.ratio, got)
			}
		})
	}
}

func TestCleanerMinCompactionLag(t *testing.T) {
	e := newTestEnv(t)
	cfg := compactConfig()
	cfg.MinCompactionLagMs = 60000
	l := e.log("c", 0, cfg)
	now := e.clock.Now().UnixMilli()
	appendRolled(t, l, now-120000, []string{"a", "1"})                   // old enough
	appendRolled(t, l, now-1000, []string{"a", "2"}, []string{"b", "1"}) // too recent
	runCleaner(t, e)
	if got := readRecords(t, l); len(got) != 3 {
		t.Fatalf("records newer than min.compaction.lag.ms were compacted: %v", got)
	}
	e.clock.Advance(time.Minute)
	runCleaner(t, e)
	if got := readRecords(t, l); len(got) != 2 || got[1] != "a=2" {
		t.Fatalf("after the lag: %v", got)
	}
}

func TestCleanerMaxCompactionLag(t *testing.T) {
	e := newTestEnv(t)
	cfg := compactConfig()
	cfg.MinCleanableDirtyRatio = 1 // never by ratio
	cfg.MaxCompactionLagMs = 60000
	l := e.log("c", 0, cfg)
	now := e.clock.Now().UnixMilli()
	appendRolled(t, l, now-1000, []string{"a", "1"}, []string{"a", "2"})
	runCleaner(t, e)
	if got := readRecords(t, l); len(got) != 2 {
		t.Fatalf("compacted before max.compaction.lag.ms: %v", got)
	}
	e.clock.Advance(time.Minute)
	runCleaner(t, e)
	if got := readRecords(t, l); len(got) != 1 {
		t.Fatalf("not compacted after max.compaction.lag.ms: %v", got)
	}
	// The active segment rolls once it is older than the lag, so that
	// its records become cleanable.
	mustAppend(t, l, keyedBatch(t, e.clock.Now().UnixMilli(), record.CodecNone, "a", "3"))
	segs := l.NumSegments()
	e.clock.Advance(61 * time.Second)
	mustAppend(t, l, keyedBatch(t, e.clock.Now().UnixMilli(), record.CodecNone, "a", "4"))
	if l.NumSegments() != segs+1 {
		t.Fatalf("segments %d -> %d: no roll at max.compaction.lag.ms", segs, l.NumSegments())
	}
	if cfg.maxSegmentMs() != 60000 || DefaultLogConfig().maxSegmentMs() != DefaultLogConfig().SegmentMs {
		t.Fatalf("maxSegmentMs: %d", cfg.maxSegmentMs())
	}
}

func TestCleanerMergesSegments(t *testing.T) {
	e := newTestEnv(t)
	cfg := compactConfig()
	l := e.log("c", 0, cfg)
	var batches [][]string
	for i := 0; i < 20; i++ {
		batches = append(batches, []string{fmt.Sprintf("k%d", i%4), fmt.Sprintf("%02d", i)})
	}
	appendRolled(t, l, nowMs(), batches...)
	one := l.Size() / int64(l.NumSegments()-1)
	// Room for about five segments' worth per cleaned segment.
	cfg.SegmentBytes = 5 * one
	cfg.IndexIntervalBytes = 1
	if err := l.UpdateConfig(cfg); err != nil {
		t.Fatal(err)
	}
	runCleaner(t, e)
	got := readRecords(t, l)
	if len(got) != 4 || got[16] != "k0=16" || got[19] != "k3=19" {
		t.Fatalf("after merging: %v", got)
	}
	if n := l.NumSegments(); n != 5 {
		t.Fatalf("%d segments after cleaning, want 4 merged groups of 5 plus the active one", n)
	}
	// The indexes built for the cleaned segments are those a rebuild
	// from the .log gives.
	l.mu.Lock()
	for _, s := range l.segments[:len(l.segments)-1] {
		idx, tidx := string(s.oidx.buf), string(s.tidx.buf)
		if _, err := s.recover(cfg.IndexIntervalBytes, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.onBecomeInactive(); err != nil {
			t.Fatal(err)
		}
		if idx != string(s.oidx.buf) || tidx != string(s.tidx.buf) {
			t.Fatalf("segment %d: built index %x / %x, rebuilt %x / %x", s.baseOffset, idx, tidx, s.oidx.buf, s.tidx.buf)
		}
	}
	l.mu.Unlock()
	// The next pass merges the now small cleaned segments.
	appendRolled(t, l, nowMs(), []string{"k0", "20"})
	runCleaner(t, e)
	if n := l.NumSegments(); n != 2 {
		t.Fatalf("%d segments after the second pass, want 2", n)
	}
	if got := readRecords(t, l); len(got) != 4 || got[20] != "k0=20" || got[19] != "k3=19" {
		t.Fatalf("after the second pass: %v", got)
	}
	// Only whole runs that fit segment.bytes are merged.
	p := &cleanPlan{cfg: cfg}
	for i := 0; i < 12; i++ {
		p.segs = append(p.segs, &segment{baseOffset: int64(i)})
		p.sizes = append(p.sizes, one)
		p.ends = append(p.ends, int64(i+1))
		p.indexBytes = append(p.indexBytes, 8)
		p.timeBytes = append(p.timeBytes, 12)
	}
	groups := groupSegmentsBySize(p, 11)
	if len(groups) != 3 || len(groups[0]) != 5 || len(groups[1]) != 5 || len(groups[2]) != 1 {
		t.Fatalf("groups %v", groups)
	}
	p.cfg.SegmentIndexBytes = 24 // two time index entries at most
	if groups := groupSegmentsBySize(p, 12); len(groups) != 6 {
		t.Fatalf("index limit ignored: %v", groups)
	}
	p.cfg.SegmentIndexBytes = math.MaxInt32
	p.ends[1] = math.MaxInt32 + 10
	if groups := groupSegmentsBySize(p, 2); len(groups) != 2 {
		t.Fatalf("relative offset limit ignored: %v", groups)
	}
}

func TestCleanerDedupeBufferPasses(t *testing.T) {
	e := newTestEnv(t)
	e.m.Close()
	m, err := NewManager(ManagerConfig{Dirs: []string{e.dir}, Clock: e.clock, Logger: quietLogger(), Seed: 1,
		CleanerDedupeBufferSize: 4 * offsetMapEntryBytes}) // 3 keys
	if err != nil {
		t.Fatal(err)
	}
	e.m = m
	l := e.log("c", 0, compactConfig())
	var batches [][]string
	for i := 0; i < 12; i++ {
		batches = append(batches, []string{fmt.Sprintf("k%d", i%6), fmt.Sprint(i)})
	}
	appendRolled(t, l, nowMs(), batches...)
	runCleaner(t, e)
	if first := e.m.cleanerOffsets[l.tp]; first != 3 {
		t.Fatalf("first pass checkpoint %d, want 3 (map of 3 keys)", first)
	}
	for i := 0; i < 4; i++ {
		runCleaner(t, e)
	}
	got := readRecords(t, l)
	if len(got) != 6 {
		t.Fatalf("after several passes %d records, want one per key: %v", len(got), got)
	}
	for i := 6; i < 12; i++ {
		if got[int64(i)] != fmt.Sprintf("k%d=%d", i%6, i) {
			t.Fatalf("offset %d: %q (%v)", i, got[int64(i)], got)
		}
	}
	if first := e.m.cleanerOffsets[l.tp]; first != 12 {
		t.Fatalf("checkpoint %d after the last pass, want 12", first)
	}
	offs, err := readOffsetCheckpoint(filepath.Join(e.dir, cleanerCheckpointFile))
	if err != nil || offs[l.tp] != 12 {
		t.Fatalf("cleaner-offset-checkpoint: %v %v", offs, err)
	}
}

// keyedTxnBatch builds a transactional batch of pid with the given keys.
func keyedTxnBatch(t *testing.T, pid int64, seq int32, keys ...string) []byte {
	t.Helper()
	var recs []kmsg.Record
	for i, k := range keys {
		recs = append(recs, kmsg.Record{OffsetDelta: int32(i), Key: []byte(k), Value: []byte("txn")})
	}
	b, err := record.Build(record.Header{PartitionLeaderEpoch: -1, Attributes: record.AttrTransactional,
		LastOffsetDelta: int32(len(keys) - 1), BaseTimestamp: nowMs(), MaxTimestamp: nowMs(),
		ProducerID: pid, ProducerEpoch: 0, BaseSequence: seq}, recs, record.CodecNone)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCleanerTransactions(t *testing.T) {
	e := newTestEnv(t)
	cfg := compactConfig()
	l := e.log("c", 0, cfg)
	roll := func() {
		if err := l.Roll(); err != nil {
			t.Fatal(err)
		}
	}
	mustAppend(t, l, keyedTxnBatch(t, 7, 0, "a", "b")) // 0-1 aborted
	roll()
	mustAppend(t, l, keyedTxnBatch(t, 7, 2, "c"))                 // 2 aborted
	if _, err := appendMarker(t, l, 7, 0, 1, false); err != nil { // 3 abort
		t.Fatal(err)
	}
	roll()
	mustAppend(t, l, keyedTxnBatch(t, 8, 0, "a"))                // 4 committed
	if _, err := appendMarker(t, l, 8, 0, 1, true); err != nil { // 5 commit
		t.Fatal(err)
	}
	roll()
	mustAppend(t, l, keyedBatch(t, nowMs(), record.CodecNone, "b", "plain")) // 6
	roll()
	l.SetHighWatermark(l.LogEndOffset())
	if got := l.AbortedTransactions(0, 7); len(got) != 1 {
		t.Fatalf("aborted transactions before cleaning: %v", got)
	}
	runCleaner(t, e)
	got := readRecords(t, l)
	// Aborted data is gone (the producer's last batch stays empty); the
	// committed record is the latest for a.
	if got[0] != "" || got[1] != "" || got[2] != "" || got[4] != "a=txn" || got[6] != "b=plain" {
		t.Fatalf("after cleaning: %v", got)
	}
	markers := func() (abort, commit bool) {
		for _, h := range readAll(t, l, 0) {
			if h.IsControl() && h.BaseOffset == 3 {
				abort = true
			}
			if h.IsControl() && h.BaseOffset == 5 {
				commit = true
			}
		}
		return
	}
	if abort, commit := markers(); !abort || !commit {
		t.Fatalf("markers removed too early: abort %v commit %v", abort, commit)
	}
	// Data of the aborted transaction is still present (the emptied last
	// batch), so its index entry stays for read_committed readers.
	if got := l.AbortedTransactions(0, 7); len(got) != 1 {
		t.Fatalf("aborted transactions after cleaning: %v", got)
	}
	// Producer 7 moves on, so its emptied batch is no longer its last;
	// with the transaction empty, its marker gets a horizon and then goes.
	mustAppend(t, l, buildBatch(t, idemBatch(1, nowMs(), 7, 0, 3)))
	roll()
	l.SetHighWatermark(l.LogEndOffset())
	runCleaner(t, e) // drops the emptied batch; the marker stays once more
	if got := l.AbortedTransactions(0, l.LogEndOffset()); len(got) != 1 {
		t.Fatalf("aborted transaction index entry dropped with its last data: %v", got)
	}
	appendRolled(t, l, nowMs(), []string{"z", "1"})
	runCleaner(t, e) // the marker's transaction is empty: horizon stamped
	if abort, _ := markers(); !abort {
		t.Fatalf("abort marker removed before its horizon")
	}
	e.clock.Advance(time.Duration(cfg.DeleteRetentionMs) * time.Millisecond)
	runCleaner(t, e)
	if abort, commit := markers(); abort || !commit {
		t.Fatalf("after the horizon: abort marker kept %v, commit marker kept %v (the commit's data remains)", abort, commit)
	}
	if got := l.AbortedTransactions(0, l.LogEndOffset()); len(got) != 0 {
		t.Fatalf("aborted transactions after the marker went: %v", got)
	}
	e.restart()
	l = e.m.Log("c", 0)
	if got := readRecords(t, l); got[4] != "a=txn" || got[6] != "b=plain" {
		t.Fatalf("after restart: %v", got)
	}
}
