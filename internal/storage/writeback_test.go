package storage

import "testing"

// Each megabyte appended is handed to the writeback worker once, holding
// the segment file open until served or drained.
func TestWritebackHandsOverEachMegabyte(t *testing.T) {
	e := newTestEnv(t)
	l := e.log("wb", 0, DefaultLogConfig())
	spec := plainBatch(250, nowMs())
	spec.valueLen = 1000
	for l.Size() < 5*writebackChunk/2 {
		mustAppend(t, l, buildBatch(t, spec))
	}
	// The manager was not started: nothing serves the queue.
	if n := len(e.m.env.writeback); n != 2 {
		t.Fatalf("%d writeback requests queued for %d bytes, want 2", n, l.Size())
	}
	l.mu.RLock()
	seg := l.activeSegment()
	l.mu.RUnlock()
	if refs := seg.logRefs.Load(); refs != 3 {
		t.Fatalf("segment file refs %d, want the owner's and one per queued request", refs)
	}
	first := <-e.m.env.writeback
	if first.off != 0 || first.len < writebackChunk || first.seg != seg {
		t.Fatalf("first request %+v", first)
	}
	startWriteback(first.seg.log, first.off, first.len)
	first.seg.unrefLog()
	if err := e.m.Close(); err != nil {
		t.Fatal(err)
	}
	e.m = nil
	if refs := seg.logRefs.Load(); refs != 0 {
		t.Fatalf("segment file refs %d after close, want 0", refs)
	}
}
