package storage

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

func countFiles(t *testing.T, dir, suffix string) int {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), suffix) {
			n++
		}
	}
	return n
}

func TestRollBySize(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	b := buildBatch(t, plainBatch(1, nowMs()))
	cfg.SegmentBytes = int64(3 * len(b))
	l := e.log("t", 0, cfg)
	for i := 0; i < 10; i++ {
		mustAppend(t, l, buildBatch(t, plainBatch(1, nowMs())))
	}
	if l.NumSegments() != 4 {
		t.Fatalf("%d segments, want 4", l.NumSegments())
	}
	if got := countFiles(t, l.Dir(), ".log"); got != 4 {
		t.Fatalf("%d .log files", got)
	}
	// A roll snapshots producer state at the new segment's base.
	if got := countFiles(t, l.Dir(), ".snapshot"); got != 3 {
		t.Fatalf("%d snapshots, want 3", got)
	}
	if len(readAll(t, l, 0)) != 10 {
		t.Fatalf("batches lost across segments")
	}
	if _, err := l.Append(make([]byte, cfg.SegmentBytes+1), AppendOptions{AssignOffsets: true}); !errors.Is(err, kerr.RecordListTooLarge) {
		t.Fatalf("append larger than a segment: %v", err)
	}
}

func TestRollByTime(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	cfg.SegmentMs = 1000
	l := e.log("t", 0, cfg)
	mustAppend(t, l, buildBatch(t, plainBatch(1, nowMs())))
	mustAppend(t, l, buildBatch(t, plainBatch(1, nowMs()+999)))
	if l.NumSegments() != 1 {
		t.Fatalf("rolled too early")
	}
	mustAppend(t, l, buildBatch(t, plainBatch(1, nowMs()+1001)))
	if l.NumSegments() != 2 {
		t.Fatalf("%d segments, want 2", l.NumSegments())
	}
}

func TestRollWhenIndexFull(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	cfg.SegmentIndexBytes = 24 // 3 offset entries, 2 time entries (one kept free)
	cfg.IndexIntervalBytes = 0
	l := e.log("t", 0, cfg)
	for i := 0; i < 6; i++ {
		mustAppend(t, l, buildBatch(t, plainBatch(1, nowMs()+int64(i))))
	}
	if l.NumSegments() < 2 {
		t.Fatalf("no roll on full index")
	}
	if len(readAll(t, l, 0)) != 6 {
		t.Fatalf("batches lost")
	}
}

func TestRollOnOffsetOverflow(t *testing.T) {
	e := newTestEnv(t)
	l := e.log("t", 0, DefaultLogConfig())
	b1 := buildBatch(t, plainBatch(1, nowMs()))
	if _, err := l.Append(b1, AppendOptions{}); err != nil {
		t.Fatal(err)
	}
	far := int64(1)<<31 + 10
	b2 := buildBatch(t, plainBatch(1, nowMs()))
	setBase(b2, far)
	if _, err := l.Append(b2, AppendOptions{}); err != nil {
		t.Fatal(err)
	}
	if l.NumSegments() != 2 || l.segments[1].baseOffset != far {
		t.Fatalf("segments %d, want a new one at %d", l.NumSegments(), far)
	}
	b3 := buildBatch(t, plainBatch(1, nowMs()))
	setBase(b3, 5)
	if _, err := l.Append(b3, AppendOptions{}); !errors.Is(err, ErrUnexpectedAppendOffset) {
		t.Fatalf("follower append going backwards: %v", err)
	}
}

func TestRetentionByTime(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	cfg.RetentionMs = 3600 * 1000
	cfg.SegmentMs = 60 * 1000
	cfg.FileDeleteDelayMs = 1000
	l := e.log("t", 0, cfg)
	for i := 0; i < 5; i++ {
		// One segment per minute of record time.
		mustAppend(t, l, buildBatch(t, plainBatch(1, nowMs()+int64(i)*61*1000)))
	}
	if l.NumSegments() != 5 {
		t.Fatalf("%d segments", l.NumSegments())
	}
	l.SetHighWatermark(l.LogEndOffset())
	e.clock.Advance(time.Hour + 2*61*time.Second + time.Second)
	if err := e.m.RunRetention(); err != nil {
		t.Fatal(err)
	}
	// Segments whose max timestamp is older than an hour: the first three.
	if l.NumSegments() != 2 || l.LogStartOffset() != 3 {
		t.Fatalf("after retention: %d segments, log start %d", l.NumSegments(), l.LogStartOffset())
	}
	if countFiles(t, l.Dir(), ".deleted") == 0 {
		t.Fatalf("deleted segments were not renamed .deleted")
	}
	e.clock.Advance(time.Second)
	if n := countFiles(t, l.Dir(), ".deleted"); n != 0 {
		t.Fatalf("%d .deleted files left after file.delete.delay.ms", n)
	}
	if _, err := l.Read(0, 1000, 10, false); !errors.Is(err, kerr.OffsetOutOfRange) {
		t.Fatalf("read below log start: %v", err)
	}
	// Everything old: the active segment goes too, after a roll.
	e.clock.Advance(24 * time.Hour)
	if err := e.m.RunRetention(); err != nil {
		t.Fatal(err)
	}
	if l.NumSegments() != 1 || l.LogStartOffset() != 5 || l.LogEndOffset() != 5 {
		t.Fatalf("after full retention: %d segments, start %d, end %d", l.NumSegments(), l.LogStartOffset(), l.LogEndOffset())
	}
	if res := mustAppend(t, l, buildBatch(t, plainBatch(1, e.clock.Now().UnixMilli()))); res.FirstOffset != 5 {
		t.Fatalf("append after retention at %d", res.FirstOffset)
	}
}

func TestRetentionRespectsHighWatermark(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	cfg.RetentionMs = 1000
	cfg.SegmentMs = 1000
	l := e.log("t", 0, cfg)
	for i := 0; i < 3; i++ {
		mustAppend(t, l, buildBatch(t, plainBatch(1, nowMs()+int64(i)*2000)))
	}
	e.clock.Advance(time.Hour)
	e.m.RunRetention()
	if l.NumSegments() != 3 {
		t.Fatalf("retention deleted segments above the high watermark")
	}
}

func TestRetentionBySize(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	b := buildBatch(t, plainBatch(1, nowMs()))
	cfg.SegmentBytes = int64(2 * len(b))
	cfg.RetentionBytes = int64(5 * len(b))
	l := e.log("t", 0, cfg)
	for i := 0; i < 10; i++ {
		mustAppend(t, l, buildBatch(t, plainBatch(1, nowMs())))
	}
	l.SetHighWatermark(l.LogEndOffset())
	if err := e.m.RunRetention(); err != nil {
		t.Fatal(err)
	}
	// Kafka deletes the oldest segments while the excess over
	// retention.bytes still covers them: 10s-5s leaves room to drop two
	// segments of 2s, not a third.
	if l.NumSegments() != 3 || l.Size() != int64(6*len(b)) {
		t.Fatalf("%d segments, size %d after retention.bytes %d", l.NumSegments(), l.Size(), cfg.RetentionBytes)
	}
	if l.LogStartOffset() != 10-l.Size()/int64(len(b)) {
		t.Fatalf("log start %d, size %d", l.LogStartOffset(), l.Size())
	}
}

func TestDeleteRecordsBefore(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	b := buildBatch(t, plainBatch(2, nowMs()))
	cfg.SegmentBytes = int64(2 * len(b))
	l := e.log("t", 0, cfg)
	for i := 0; i < 6; i++ {
		mustAppend(t, l, buildBatch(t, plainBatch(2, nowMs())))
	}
	if _, err := l.DeleteRecordsBefore(5); !errors.Is(err, kerr.OffsetOutOfRange) {
		t.Fatalf("delete above high watermark: %v", err)
	}
	l.SetHighWatermark(12)
	start, err := l.DeleteRecordsBefore(5)
	if err != nil || start != 5 {
		t.Fatalf("DeleteRecordsBefore: %d %v", start, err)
	}
	// Segments [0,4) go; [4,8) holds offset 5 and stays.
	if l.NumSegments() != 2 || l.segments[0].baseOffset != 4 {
		t.Fatalf("segments after delete: %d, first %d", l.NumSegments(), l.segments[0].baseOffset)
	}
	if _, err := l.Read(4, 1000, 12, false); !errors.Is(err, kerr.OffsetOutOfRange) {
		t.Fatalf("read below new log start: %v", err)
	}
	e.restart()
	l = e.m.Log("t", 0)
	if l.LogStartOffset() != 5 || l.HighWatermark() != 12 {
		t.Fatalf("after restart: start %d hw %d", l.LogStartOffset(), l.HighWatermark())
	}
}

func TestTruncate(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	b := buildBatch(t, plainBatch(2, nowMs()))
	cfg.SegmentBytes = int64(2 * len(b))
	l := e.log("t", 0, cfg)
	for i := 0; i < 6; i++ {
		if _, err := l.Append(buildBatch(t, plainBatch(2, nowMs())), AppendOptions{AssignOffsets: true, LeaderEpoch: int32(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Truncate(7); err != nil {
		t.Fatal(err)
	}
	// The batch [6,8) straddles 7 and goes whole.
	if l.LogEndOffset() != 6 || len(readAll(t, l, 0)) != 3 {
		t.Fatalf("after truncate: LEO %d", l.LogEndOffset())
	}
	if ep, end := l.EndOffsetForEpoch(2); ep != 2 || end != 6 {
		t.Fatalf("EndOffsetForEpoch(2) = %d %d", ep, end)
	}
	if ep, _ := l.EndOffsetForEpoch(3); ep != -1 {
		t.Fatalf("epoch 3 survived truncation")
	}
	if res := mustAppend(t, l, buildBatch(t, plainBatch(1, nowMs()))); res.FirstOffset != 6 {
		t.Fatalf("append after truncate at %d", res.FirstOffset)
	}
	e.crash()
	l = e.m.Log("t", 0)
	if l.LogEndOffset() != 7 {
		t.Fatalf("LEO after crash %d", l.LogEndOffset())
	}
	if err := l.TruncateFully(100); err != nil {
		t.Fatal(err)
	}
	if l.LogStartOffset() != 100 || l.LogEndOffset() != 100 || l.NumSegments() != 1 {
		t.Fatalf("after TruncateFully: %d %d %d", l.LogStartOffset(), l.LogEndOffset(), l.NumSegments())
	}
}

func TestDeleteLog(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	cfg.FileDeleteDelayMs = 5000
	l := e.log("t", 3, cfg)
	mustAppend(t, l, buildBatch(t, plainBatch(1, nowMs())))
	if err := e.m.DeleteLog("t", 3); err != nil {
		t.Fatal(err)
	}
	if e.m.Log("t", 3) != nil {
		t.Fatalf("log still registered")
	}
	matches, _ := filepath.Glob(filepath.Join(e.dir, "t-3.*-delete"))
	if len(matches) != 1 {
		t.Fatalf("delete dir: %v", matches)
	}
	if name := filepath.Base(matches[0]); len(name) != len("t-3.")+32+len("-delete") {
		t.Fatalf("delete dir name %q", name)
	}
	e.clock.Advance(5 * time.Second)
	if _, err := os.Stat(matches[0]); !os.IsNotExist(err) {
		t.Fatalf("delete dir not removed: %v", err)
	}
}

func TestTruncateIntoGap(t *testing.T) {
	e := newTestEnv(t)
	l := e.log("t", 0, DefaultLogConfig())
	for _, base := range []int64{0, 20} {
		b := buildBatch(t, plainBatch(2, nowMs()))
		setBase(b, base)
		if _, err := l.Append(b, AppendOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Truncate(10); err != nil {
		t.Fatal(err)
	}
	if l.LogEndOffset() != 10 {
		t.Fatalf("after truncating into a gap: LEO %d", l.LogEndOffset())
	}
	if res, err := l.Read(0, 1<<20, 10, false); err != nil || len(res.Records) != len(buildBatch(t, plainBatch(2, nowMs()))) {
		t.Fatalf("read after truncation: %v %d bytes", err, len(res.Records))
	}
	if res, err := l.Read(5, 1<<20, 10, false); err != nil || len(res.Records) != 0 {
		t.Fatalf("read in the gap: %v %d bytes", err, len(res.Records))
	}
	b := buildBatch(t, plainBatch(1, nowMs()))
	setBase(b, 10)
	if _, err := l.Append(b, AppendOptions{}); err != nil {
		t.Fatalf("follower append at the new end: %v", err)
	}
}

func TestRetentionWaitsForTopicConfig(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	cfg.CleanupPolicy = "compact"
	cfg.SegmentMs = 1000
	l := e.log("c", 0, cfg)
	for i := 0; i < 3; i++ {
		mustAppend(t, l, buildBatch(t, plainBatch(1, nowMs()+int64(i)*2000)))
	}
	l.SetHighWatermark(l.LogEndOffset())
	e.restart() // reloaded with the default (delete, 7 days) config
	e.clock.Advance(30 * 24 * time.Hour)
	l = e.m.Log("c", 0)
	if err := e.m.RunRetention(); err != nil {
		t.Fatal(err)
	}
	if l.NumSegments() != 3 {
		t.Fatalf("retention ran with a default config before the topic's was applied")
	}
	if _, err := e.m.GetOrCreateLog("c", 0, [16]byte{}, cfg); err != nil {
		t.Fatal(err)
	}
	if err := e.m.RunRetention(); err != nil {
		t.Fatal(err)
	}
	if l.NumSegments() != 3 {
		t.Fatalf("a compacted topic lost segments to time retention")
	}
}
