package storage

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/odradek/odradek/internal/clock"
)

func smallIndexConfig() LogConfig {
	cfg := DefaultLogConfig()
	cfg.IndexIntervalBytes = 200
	cfg.SegmentBytes = 4000
	cfg.SegmentIndexBytes = 64 << 10
	return cfg
}

// snapshotDir reads every regular file of dir.
func snapshotDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func restoreDir(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for rel, b := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func segmentFiles(files map[string][]byte, suffix string) []string {
	var out []string
	for rel := range files {
		if filepath.Ext(rel) == suffix {
			out = append(out, rel)
		}
	}
	sort.Strings(out)
	return out
}

// buildLog writes batches to a fresh log, closes cleanly and returns the
// directory's files and the batches' sizes.
func buildLog(t *testing.T, n int) (map[string][]byte, []int) {
	t.Helper()
	e := newTestEnv(t)
	l := e.log("t", 0, smallIndexConfig())
	var sizes []int
	for i := 0; i < n; i++ {
		b := buildBatch(t, plainBatch(1+i%3, nowMs()+int64(i)))
		sizes = append(sizes, len(b))
		mustAppend(t, l, b)
	}
	if err := e.m.Close(); err != nil {
		t.Fatal(err)
	}
	e.m = nil
	return snapshotDir(t, e.dir), sizes
}

func openDir(t *testing.T, dir string) *Manager {
	t.Helper()
	m, err := NewManager(ManagerConfig{Dirs: []string{dir}, Clock: clock.NewManual(testStart), Logger: quietLogger(), Seed: 1,
		ConfigFor: func(string) (LogConfig, bool) { return smallIndexConfig(), true }})
	if err != nil {
		t.Fatalf("NewManager: %v", err)
	}
	return m
}

// TestRecoveryTornTailEveryByte cuts the last batch of the active segment at
// every byte boundary and checks recovery keeps exactly the whole batches
// and rebuilds the same indexes a clean log has.
func TestRecoveryTornTailEveryByte(t *testing.T) {
	const n = 60
	full, sizes := buildLog(t, n)
	ref, _ := buildLog(t, n-1) // the expected outcome: all but the last batch
	logs := segmentFiles(full, ".log")
	if len(logs) < 2 {
		t.Fatalf("want several segments, have %v", logs)
	}
	active := logs[len(logs)-1]
	last := sizes[n-1]
	keep := len(full[active]) - last
	var refEnd int64
	for i := 0; i < n-1; i++ {
		refEnd += int64(1 + i%3)
	}
	for cut := 0; cut < last; cut++ {
		dir := t.TempDir()
		restoreDir(t, dir, full)
		os.Remove(filepath.Join(dir, cleanShutdownFile))
		if err := os.Truncate(filepath.Join(dir, active), int64(keep+cut)); err != nil {
			t.Fatal(err)
		}
		// A crashed active segment still has preallocated indexes.
		idx := filepath.Join(dir, active[:len(active)-4]+indexSuffix)
		tidx := filepath.Join(dir, active[:len(active)-4]+timeIndexSuffix)
		os.Truncate(idx, 64<<10)
		os.Truncate(tidx, 64<<10-64<<10%12)

		m := openDir(t, dir)
		l := m.Log("t", 0)
		if got := l.LogEndOffset(); got != refEnd {
			t.Fatalf("cut %d: LEO %d, want %d", cut, got, refEnd)
		}
		hs := readAll(t, l, 0)
		if len(hs) != n-1 {
			t.Fatalf("cut %d: %d batches readable, want %d", cut, len(hs), n-1)
		}
		// Recovered indexes hold what a cleanly closed log's files do.
		refIdx := segmentFiles(ref, ".index")
		refTidx := segmentFiles(ref, ".timeindex")
		if len(refIdx) != len(l.segments) {
			t.Fatalf("cut %d: %d segments, want %d", cut, len(l.segments), len(refIdx))
		}
		for i, s := range l.segments {
			if !bytes.Equal(s.oidx.buf, ref[refIdx[i]]) || !bytes.Equal(s.tidx.buf, ref[refTidx[i]]) {
				t.Fatalf("cut %d: segment %d indexes differ from a clean log's", cut, s.baseOffset)
			}
		}
		if st, _ := os.Stat(filepath.Join(dir, active)); st.Size() != int64(keep) {
			t.Fatalf("cut %d: torn tail left %d bytes, want %d", cut, st.Size(), keep)
		}
		abandon(m)
	}
}

func TestRecoveryCorruptMiddleBatch(t *testing.T) {
	full, sizes := buildLog(t, 10)
	logs := segmentFiles(full, ".log")
	if len(logs) != 1 {
		t.Fatalf("want one segment, have %v", logs)
	}
	dir := t.TempDir()
	restoreDir(t, dir, full)
	os.Remove(filepath.Join(dir, cleanShutdownFile))
	// Flip a byte inside batch 5's records: its CRC no longer matches.
	pos := 0
	for _, s := range sizes[:5] {
		pos += s
	}
	data := full[logs[0]]
	data[pos+sizes[5]-2] ^= 0xff
	os.WriteFile(filepath.Join(dir, logs[0]), data, 0o644)
	m := openDir(t, dir)
	defer m.Close()
	l := m.Log("t", 0)
	var want int64
	for i := 0; i < 5; i++ {
		want += int64(1 + i%3)
	}
	if l.LogEndOffset() != want {
		t.Fatalf("LEO %d, want %d", l.LogEndOffset(), want)
	}
	res := mustAppend(t, l, buildBatch(t, plainBatch(1, nowMs())))
	if res.FirstOffset != want {
		t.Fatalf("append after recovery at %d, want %d", res.FirstOffset, want)
	}
}

// TestIndexRebuild deletes or corrupts index files of a cleanly closed log
// and checks they are rebuilt byte for byte.
func TestIndexRebuild(t *testing.T) {
	full, _ := buildLog(t, 40)
	idx := segmentFiles(full, ".index")
	tidx := segmentFiles(full, ".timeindex")
	if len(idx) < 2 {
		t.Fatalf("want several segments")
	}
	cases := []struct {
		name   string
		damage func(dir string)
	}{
		{"delete offset index", func(dir string) { os.Remove(filepath.Join(dir, idx[0])) }},
		{"delete time index", func(dir string) { os.Remove(filepath.Join(dir, tidx[1])) }},
		{"zeroed offset index", func(dir string) {
			os.WriteFile(filepath.Join(dir, idx[0]), make([]byte, len(full[idx[0]])+16), 0o644)
		}},
		{"garbage time index", func(dir string) {
			b := append([]byte(nil), full[tidx[0]]...)
			for i := range b {
				b[i] = byte(255 - i)
			}
			os.WriteFile(filepath.Join(dir, tidx[0]), b, 0o644)
		}},
		{"index past log end", func(dir string) {
			b := append([]byte(nil), full[idx[0]]...)
			b[len(b)-1] = 0x7f
			b[len(b)-2] = 0x7f
			os.WriteFile(filepath.Join(dir, idx[0]), b, 0o644)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			restoreDir(t, dir, full)
			tc.damage(dir)
			m := openDir(t, dir)
			l := m.Log("t", 0)
			if len(readAll(t, l, 0)) != 40 {
				t.Fatalf("batches lost")
			}
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			got := snapshotDir(t, dir)
			for _, f := range append(append([]string(nil), idx...), tidx...) {
				if !bytes.Equal(got[f], full[f]) {
					t.Fatalf("%s not rebuilt identically: %x vs %x", f, got[f], full[f])
				}
			}
		})
	}
}

func TestLeftoverArtifactsRemoved(t *testing.T) {
	full, _ := buildLog(t, 3)
	dir := t.TempDir()
	restoreDir(t, dir, full)
	pdir := filepath.Join(dir, "t-0")
	for _, name := range []string{"00000000000000000000.log.deleted", "00000000000000000000.log.cleaned", "00000000000000000000.log.swap", "00000000000000000099.index"} {
		os.WriteFile(filepath.Join(pdir, name), []byte("x"), 0o644)
	}
	os.MkdirAll(filepath.Join(dir, "gone-0.0123456789abcdef0123456789abcdef-delete"), 0o755)
	m := openDir(t, dir)
	defer m.Close()
	for _, name := range []string{"00000000000000000000.log.deleted", "00000000000000000000.log.cleaned", "00000000000000000000.log.swap", "00000000000000000099.index"} {
		if _, err := os.Stat(filepath.Join(pdir, name)); !os.IsNotExist(err) {
			t.Errorf("%s survived loading", name)
		}
	}
	if m.Log("gone", 0) != nil {
		t.Errorf("a -delete directory was loaded as a log")
	}
}

// TestRecoveryStartsAtRecoveryPoint: after a crash only segments from the
// checkpointed recovery point on are rescanned, as in Kafka; flushed
// segments below it are trusted.
func TestRecoveryStartsAtRecoveryPoint(t *testing.T) {
	e := newTestEnv(t)
	cfg := smallIndexConfig()
	l := e.log("t", 0, cfg)
	for i := 0; i < 40; i++ {
		mustAppend(t, l, buildBatch(t, batchSpec{n: 1, valueLen: 300, ts: nowMs(), pid: -1, epoch: -1, seq: -1}))
	}
	if l.NumSegments() < 3 {
		t.Fatalf("want several segments")
	}
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := e.m.CheckpointAll(); err != nil {
		t.Fatal(err)
	}
	first := l.segments[0].logPath()
	last := l.activeSegment().logPath()
	abandon(e.m)
	// Damage the tail of the first segment and the active one.
	for _, p := range []string{first, last} {
		st, _ := os.Stat(p)
		os.Truncate(p, st.Size()-3)
	}
	e.open()
	l = e.m.Log("t", 0)
	st, _ := os.Stat(first)
	if got := l.segments[0].size; got != st.Size() || l.NumSegments() < 3 {
		t.Fatalf("a segment below the recovery point was rescanned")
	}
	if l.LogEndOffset() != 39 {
		t.Fatalf("LEO %d: the torn active segment was not recovered", l.LogEndOffset())
	}
}

// A new leader epoch is written to leader-epoch-checkpoint by the flush
// that moves the recovery point past it; above the recovery point, a crash
// leaves it to recovery, which finds it in the batches again.
func TestLeaderEpochCheckpointFollowsFlush(t *testing.T) {
	e := newTestEnv(t)
	l := e.log("ep", 0, DefaultLogConfig())
	appendEpoch := func(epoch int32) {
		t.Helper()
		if _, err := l.Append(buildBatch(t, plainBatch(3, nowMs())), AppendOptions{LeaderEpoch: epoch, AssignOffsets: true}); err != nil {
			t.Fatal(err)
		}
	}
	appendEpoch(2)
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(l.dir, leaderEpochCheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "0\n1\n2 0\n" {
		t.Fatalf("checkpoint after flush: %q", data)
	}
	if err := e.m.CheckpointAll(); err != nil {
		t.Fatal(err)
	}
	appendEpoch(5)
	e.crash()
	l = e.log("ep", 0, DefaultLogConfig())
	if ep, end := l.EndOffsetForEpoch(2); ep != 2 || end != 3 {
		t.Fatalf("epoch 2 after crash ends at (%d, %d), want (2, 3)", ep, end)
	}
	if ep, end := l.EndOffsetForEpoch(5); ep != 5 || end != 6 {
		t.Fatalf("epoch 5 after crash ends at (%d, %d), want (5, 6)", ep, end)
	}
}
