package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// crashSetup builds a compacted log whose cleaning merges segments in
// several groups and stamps a tombstone, and returns every record it holds.
func crashSetup(t *testing.T) (*testEnv, LogConfig, map[int64]string) {
	e := newTestEnv(t)
	cfg := compactConfig()
	l := e.log("c", 0, cfg)
	var batches [][]string
	for i := 0; i < 12; i++ {
		v := fmt.Sprintf("%02d", i)
		if i == 7 {
			v = "<nil>"
		}
		batches = append(batches, []string{fmt.Sprintf("k%d", i%5), v, fmt.Sprintf("u%d", i), v})
	}
	appendRolled(t, l, nowMs(), batches[:6]...)
	// An aborted transaction across two segments: the pass removes its
	// data but keeps its marker and .txnindex entry, which therefore move
	// into a cleaned segment's index.
	mustAppend(t, l, keyedTxnBatch(t, 7, 0, "t0", "t1"))
	if err := l.Roll(); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, l, keyedTxnBatch(t, 7, 2, "t2"))
	if _, err := appendMarker(t, l, 7, 0, 1, false); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, l, buildBatch(t, idemBatch(1, nowMs(), 7, 0, 3)))
	appendRolled(t, l, nowMs(), batches[6:]...)
	cfg.SegmentBytes = 3 * l.Size() / int64(l.NumSegments()-1)
	if err := l.UpdateConfig(cfg); err != nil {
		t.Fatal(err)
	}
	return e, cfg, readRecords(t, l)
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatalf("copy %s: %v", from, err)
	}
}

// checkConsistent verifies a reloaded log: every record it holds is the
// original record at that offset, every record a finished pass keeps is
// there, and no swap or cleaned file is left.
func checkConsistent(t *testing.T, l *Log, orig, want map[int64]string, origEnd int64) {
	t.Helper()
	got := readRecords(t, l)
	for off, kv := range got {
		if orig[off] != kv {
			t.Fatalf("offset %d holds %q, originally %q", off, kv, orig[off])
		}
	}
	for off, kv := range want {
		if got[off] != kv {
			t.Fatalf("offset %d lost %q: %v", off, kv, got)
		}
	}
	if got := l.AbortedTransactions(0, l.LogEndOffset()); len(got) != 1 {
		t.Fatalf("aborted transactions %v, want the one", got)
	}
	if l.LogEndOffset() != origEnd {
		t.Fatalf("log end %d, want %d", l.LogEndOffset(), origEnd)
	}
	ents, _ := os.ReadDir(l.Dir())
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), swapSuffix) || strings.HasSuffix(e.Name(), cleanedSuffix) {
			t.Fatalf("%s left after loading", e.Name())
		}
	}
}

func TestCleanerCrashAtEachStep(t *testing.T) {
	e, _, orig := crashSetup(t)
	l := e.m.Log("c", 0)
	origEnd := l.LogEndOffset()
	var steps []string
	e.m.env.cleanerHook = func(step string) error { steps = append(steps, step); return nil }
	runCleaner(t, e)
	want := readRecords(t, l)
	if len(want) >= len(orig) || l.NumSegments() >= 12 {
		t.Fatalf("the setup pass neither compacted nor merged: %d records, %d segments", len(want), l.NumSegments())
	}
	for k, step := range steps {
		t.Run(fmt.Sprintf("%d-%s", k, step), func(t *testing.T) {
			e, cfg, _ := crashSetup(t)
			image := t.TempDir()
			n := 0
			e.m.env.cleanerHook = func(string) error {
				if n++; n == k+1 {
					copyTree(t, e.dir, image)
					return errors.New("injected crash")
				}
				return nil
			}
			if err := e.m.RunCleaner(); err == nil {
				t.Fatalf("the injected failure was not reported")
			}
			// The files as the crash left them load consistently.
			m := openDir(t, image)
			checkConsistent(t, m.Log("c", 0), orig, want, origEnd)
			m.Close()
			// So does the live dir once the process dies, and the next
			// pass finishes the job.
			e.crash()
			l := e.log("c", 0, cfg)
			checkConsistent(t, l, orig, want, origEnd)
			l.SetHighWatermark(l.LogEndOffset()) // not checkpointed before the crash
			runCleaner(t, e)
			got := readRecords(t, l)
			if len(got) != len(want) {
				t.Fatalf("after recovery and a new pass: %v, want %v", got, want)
			}
		})
	}
}
