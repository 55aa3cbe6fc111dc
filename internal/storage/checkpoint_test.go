package storage

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/odradek/odradek/internal/record"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestCheckpointFilesFormat(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	l := e.log("orders", 2, cfg)
	for i := 0; i < 3; i++ {
		if _, err := l.Append(buildBatch(t, plainBatch(2, nowMs())), AppendOptions{AssignOffsets: true, LeaderEpoch: 4}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Append(buildBatch(t, plainBatch(1, nowMs())), AppendOptions{AssignOffsets: true, LeaderEpoch: 6}); err != nil {
		t.Fatal(err)
	}
	l.SetHighWatermark(7)
	l2 := e.log("a", 0, cfg)
	mustAppend(t, l2, buildBatch(t, plainBatch(1, nowMs())))
	l2.SetHighWatermark(1)
	if _, err := l2.DeleteRecordsBefore(1); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Close(); err != nil {
		t.Fatal(err)
	}
	e.m = nil
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(e.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	checks := map[string]string{
		recoveryPointCheckpointFile:             "0\n2\na 0 1\norders 2 7\n",
		replicationCheckpointFile:               "0\n2\na 0 1\norders 2 7\n",
		logStartCheckpointFile:                  "0\n1\na 0 1\n",
		"orders-2/" + leaderEpochCheckpointFile: "0\n2\n4 0\n6 6\n",
		"orders-2/" + partitionMetadataFile:     "version: 0\ntopic_id: AQIDAAAAAAAAAAAAAAAAAA\n",
		cleanShutdownFile:                       `{"version":0,"brokerEpoch":-1}`,
	}
	for name, want := range checks {
		if got := read(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	// Closed segments have trimmed indexes: 0 entries here.
	for _, suf := range []string{indexSuffix} {
		st, err := os.Stat(offsetFileName(filepath.Join(e.dir, "orders-2"), 0, suf))
		if err != nil || st.Size() != 0 {
			t.Errorf("%s not trimmed: %v %v", suf, st.Size(), err)
		}
	}
	st, _ := os.Stat(offsetFileName(filepath.Join(e.dir, "orders-2"), 0, timeIndexSuffix))
	if st.Size() != timeIndexEntrySize {
		t.Errorf("time index has %d bytes, want the one final entry", st.Size())
	}
	if _, err := os.Stat(offsetFileName(filepath.Join(e.dir, "orders-2"), 7, snapshotSuffix)); err != nil {
		t.Errorf("no producer snapshot at the log end: %v", err)
	}

	// Reopening consumes the marker and restores the state.
	e.open()
	if _, err := os.Stat(filepath.Join(e.dir, cleanShutdownFile)); !os.IsNotExist(err) {
		t.Errorf("clean shutdown marker kept after load")
	}
	l = e.m.Log("orders", 2)
	if l.HighWatermark() != 7 || l.LogEndOffset() != 7 || l.TopicID() != [16]byte{1, 2, 3} {
		t.Fatalf("reloaded: hw %d leo %d id %v", l.HighWatermark(), l.LogEndOffset(), l.TopicID())
	}
	if l.LatestEpoch() != 6 {
		t.Fatalf("latest epoch %d", l.LatestEpoch())
	}
	if e.m.Log("a", 0).LogStartOffset() != 1 {
		t.Fatalf("log start not restored")
	}
	// While open, the active segment's indexes are preallocated.
	st, _ = os.Stat(offsetFileName(filepath.Join(e.dir, "orders-2"), 0, indexSuffix))
	if st.Size() != int64(cfg.SegmentIndexBytes) {
		t.Errorf("active offset index is %d bytes, want %d", st.Size(), cfg.SegmentIndexBytes)
	}
	st, _ = os.Stat(offsetFileName(filepath.Join(e.dir, "orders-2"), 0, timeIndexSuffix))
	if st.Size() != int64(cfg.SegmentIndexBytes)/12*12 {
		t.Errorf("active time index is %d bytes", st.Size())
	}
}

func TestEndOffsetForEpoch(t *testing.T) {
	c := &leaderEpochCache{entries: []epochEntry{{1, 0}, {3, 10}, {5, 20}}}
	tests := []struct {
		req       int32
		wantEpoch int32
		wantEnd   int64
	}{
		{-1, -1, -1},
		{0, 0, 0},
		{1, 1, 10},
		{2, 1, 10},
		{3, 3, 20},
		{4, 3, 20},
		{5, 5, 30},
		{6, -1, -1},
	}
	for _, tc := range tests {
		e, o := c.endOffsetFor(tc.req, 30)
		if e != tc.wantEpoch || o != tc.wantEnd {
			t.Errorf("endOffsetFor(%d) = %d %d, want %d %d", tc.req, e, o, tc.wantEpoch, tc.wantEnd)
		}
	}
	c.truncateFromStart(12)
	if got := c.snapshot(); len(got) != 2 || got[0] != (epochEntry{3, 12}) {
		t.Errorf("truncateFromStart: %v", got)
	}
}

func TestOffsetForTimestamp(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	cfg.IndexIntervalBytes = 1
	l := e.log("t", 0, cfg)
	// Batches of 3 records at base timestamps 1000, 2000, ... (records +0,+1,+2).
	for i := 0; i < 10; i++ {
		if _, err := l.Append(buildBatch(t, plainBatch(3, nowMs()-100000+int64(i)*1000)), AppendOptions{AssignOffsets: true, LeaderEpoch: 2}); err != nil {
			t.Fatal(err)
		}
	}
	base := nowMs() - 100000
	tests := []struct {
		ts     int64
		off    int64
		recTs  int64
		wantOK bool
	}{
		{0, 0, base, true},
		{base, 0, base, true},
		{base + 1, 1, base + 1, true},
		{base + 3, 3, base + 1000, true},
		{base + 5001, 16, base + 5001, true},
		{base + 9002, 29, base + 9002, true},
		{base + 9003, 0, 0, false},
	}
	for _, tc := range tests {
		off, ts, ep, ok, err := l.OffsetForTimestamp(tc.ts)
		if err != nil || ok != tc.wantOK || (ok && (off != tc.off || ts != tc.recTs || ep != 2)) {
			t.Errorf("OffsetForTimestamp(%d) = %d %d %d %v %v, want %d %d", tc.ts, off, ts, ep, ok, err, tc.off, tc.recTs)
		}
	}
	if off, ts, ep := l.MaxTimestampWithEpoch(); off != 29 || ts != base+9002 || ep != 2 {
		t.Errorf("MaxTimestampWithEpoch = %d %d %d", off, ts, ep)
	}
	// The max is a record inside a batch, not the batch's last offset.
	recs := []kmsg.Record{{OffsetDelta: 0, TimestampDelta64: 0}, {OffsetDelta: 1, TimestampDelta64: 50000}, {OffsetDelta: 2, TimestampDelta64: 1}}
	b, err := record.Build(record.Header{PartitionLeaderEpoch: -1, LastOffsetDelta: 2, BaseTimestamp: base, MaxTimestamp: base + 50000,
		ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1}, recs, record.CodecNone)
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, l, b) // offsets 30-32, max at 31
	mustAppend(t, l, buildBatch(t, plainBatch(3, base+10000)))
	if off, ts := l.MaxTimestamp(); off != 31 || ts != base+50000 {
		t.Errorf("MaxTimestamp = %d %d, want offset 31", off, ts)
	}
}

func TestOffsetCheckpointParse(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cp")
	for _, bad := range []string{"1\n0\n", "0\n2\nt 0 1\n", "0\n1\nt x 1\n", "0\n"} {
		os.WriteFile(p, []byte(bad), 0o644)
		if _, err := readOffsetCheckpoint(p); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	want := map[TopicPartition]int64{{"a-b", 3}: 9, {"c", 0}: 0}
	if err := writeOffsetCheckpoint(p, want); err != nil {
		t.Fatal(err)
	}
	got, err := readOffsetCheckpoint(p)
	if err != nil || len(got) != 2 || got[TopicPartition{"a-b", 3}] != 9 {
		t.Fatalf("round trip: %v %v", got, err)
	}
	if b, _ := os.ReadFile(p); !strings.HasPrefix(string(b), "0\n2\na-b 3 9\n") {
		t.Fatalf("file %q", b)
	}
}
