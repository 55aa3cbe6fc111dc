package storage

// Appends hand each megabyte they write to a background worker that asks
// the kernel to start writing it to disk (sync_file_range(2) with
// SYNC_FILE_RANGE_WRITE on Linux: no wait, no durability promise; fsync
// stays where it was). Without it the page cache piles up gigabytes of
// dirty log data under a sustained produce load, and when the kernel's
// dirty limit is reached it stalls whichever write comes next, for
// hundreds of milliseconds: the produce p99 of a steady workload that
// follows a heavy one went from 66 ms to 860 ms that way. Kafka leaves
// this to vm.dirty_* tuning.

// writebackChunk is how much a segment accumulates before it is handed over.
const writebackChunk = 1 << 20

type writebackReq struct {
	seg      *segment
	off, len int64
}

// writeback is the worker's queue; requests that do not fit are dropped
// (the kernel writes those pages back on its own schedule).
type writeback chan writebackReq

func newWriteback() writeback { return make(writeback, 1024) }

// maybeWriteback queues what seg has written since its last hand-over once
// that reaches writebackChunk. The caller holds the log lock.
func (w writeback) maybeWriteback(seg *segment) {
	if w == nil {
		return
	}
	seg.writebackFrom = min(seg.writebackFrom, seg.size)
	n := seg.size - seg.writebackFrom
	if n < writebackChunk {
		return
	}
	seg.logRefs.Add(1) // the worker releases it; the file stays open until then
	select {
	case w <- writebackReq{seg, seg.writebackFrom, n}:
	default:
		seg.unrefLog()
	}
	seg.writebackFrom = seg.size
}

// run serves requests until stop closes, then releases what is queued.
func (w writeback) run(stop <-chan struct{}) {
	for {
		select {
		case r := <-w:
			startWriteback(r.seg.log, r.off, r.len)
			r.seg.unrefLog()
		case <-stop:
			w.drain()
			return
		}
	}
}

// drain releases queued requests without serving them (at close, and for
// a manager never started).
func (w writeback) drain() {
	for {
		select {
		case r := <-w:
			r.seg.unrefLog()
		default:
			return
		}
	}
}
