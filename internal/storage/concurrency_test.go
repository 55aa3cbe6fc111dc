package storage

import (
	"sync"
	"testing"

	"github.com/odradek/odradek/internal/record"
)

// TestReadDuringAppend runs readers against a log being appended to and
// rolled; every read must return whole, valid, contiguous batches.
func TestReadDuringAppend(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	cfg.SegmentBytes = 8 << 10
	cfg.IndexIntervalBytes = 512
	l := e.log("t", 0, cfg)
	const appends = 400
	var wg sync.WaitGroup
	done := make(chan struct{})
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				end := l.LogEndOffset()
				res, err := l.Read(end/2, 4096, end, true)
				if err != nil {
					t.Errorf("Read: %v", err)
					return
				}
				next := int64(-1)
				rest := res.Records
				for len(rest) > 0 {
					b, r, err := record.NextBatch(rest)
					if err != nil {
						t.Errorf("torn read: %v", err)
						return
					}
					h, err := record.Validate(b)
					if err != nil {
						t.Errorf("invalid batch read: %v", err)
						return
					}
					if next >= 0 && h.BaseOffset != next {
						t.Errorf("gap: batch at %d after %d", h.BaseOffset, next)
						return
					}
					next = h.LastOffset() + 1
					rest = r
				}
			}
		}()
	}
	for i := 0; i < appends; i++ {
		mustAppend(t, l, buildBatch(t, plainBatch(2, nowMs())))
	}
	close(done)
	wg.Wait()
	if l.NumSegments() < 2 {
		t.Fatalf("test did not roll")
	}
}

func TestReadStopsAtOversizedBatch(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	b := buildBatch(t, plainBatch(1, nowMs()))
	cfg.SegmentBytes = int64(len(b))
	l := e.log("t", 0, cfg)
	mustAppend(t, l, b)
	mustAppend(t, l, buildBatch(t, plainBatch(1, nowMs())))
	if l.NumSegments() != 2 {
		t.Fatalf("%d segments", l.NumSegments())
	}
	res, err := l.Read(0, 10, 2, false)
	if err != nil || len(res.Records) != 0 {
		t.Fatalf("read returned %d bytes from a later segment: %v", len(res.Records), err)
	}
}
