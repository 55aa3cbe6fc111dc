package metrics

import (
	"math"
	"time"

	"github.com/odradek/odradek/internal/record"
	"github.com/odradek/odradek/internal/storage"
)

// lagTracker turns committed offsets and high watermarks into lag in
// seconds and a catch-up estimate. It keeps two things between scrapes:
// the timestamp of the record at each committed offset (reading a batch
// header costs a file read; a group that has not moved costs nothing) and,
// per group partition, samples of the committed offset and high watermark
// over a sliding window, from which consume and produce rates follow.
// Entries not touched by a scrape are dropped at its end, so deleted
// groups and partitions do not accumulate. Not safe for concurrent use.
type lagTracker struct {
	window time.Duration
	gen    uint64
	now    time.Time

	stamps  map[stampKey]stampEntry
	samples map[sampleKey]*sampleRing
}

type stampKey struct {
	topic     string
	partition int32
	offset    int64
}

type stampEntry struct {
	ts  int64 // ms; -1 when the batch carries no timestamp
	gen uint64
}

type sampleKey struct {
	group     string
	topic     string
	partition int32
}

// maxSamples bounds a partition's samples; they are kept about
// window/(maxSamples-2) apart, so frequent scrapes still cover the window.
const maxSamples = 64

type sample struct {
	at        time.Time
	committed int64
	hw        int64
}

type sampleRing struct {
	s   []sample
	gen uint64
}

func newLagTracker(window time.Duration) *lagTracker {
	return &lagTracker{window: window, stamps: map[stampKey]stampEntry{}, samples: map[sampleKey]*sampleRing{}}
}

// begin starts a scrape at now.
func (l *lagTracker) begin(now time.Time) {
	l.gen++
	l.now = now
}

// end drops everything the scrape did not touch.
func (l *lagTracker) end() {
	for k, e := range l.stamps {
		if e.gen != l.gen {
			delete(l.stamps, k)
		}
	}
	for k, r := range l.samples {
		if r.gen != l.gen {
			delete(l.samples, k)
		}
	}
}

// lagSeconds is how long ago the first unconsumed record (the one at the
// committed offset) was written: now minus its timestamp, 0 when the group
// is caught up. ok is false when no timestamp can be read.
func (l *lagTracker) lagSeconds(lg *storage.Log, topic string, partition int32, committed, hw int64) (float64, bool) {
	if committed >= hw {
		return 0, true
	}
	// Records below the log start are gone; the consumer's next record is
	// the first one still there.
	off := max(committed, lg.LogStartOffset())
	if off >= hw {
		return 0, true
	}
	k := stampKey{topic, partition, off}
	e, ok := l.stamps[k]
	if !ok {
		ts, found := firstTimestampAt(lg, off, hw)
		if !found {
			return 0, false
		}
		e = stampEntry{ts: ts}
	}
	e.gen = l.gen
	l.stamps[k] = e
	if e.ts < 0 {
		return 0, false
	}
	return max(float64(l.now.UnixMilli()-e.ts)/1000, 0), true
}

// firstTimestampAt reads the header of the batch holding offset. The
// timestamp is the batch's first record's (its base timestamp), or the
// append time for LogAppendTime batches: for an offset inside a batch this
// overstates the lag by at most the time the producer spent filling it.
func firstTimestampAt(lg *storage.Log, offset, hw int64) (int64, bool) {
	sl, _, err := lg.ReadSlice(offset, 1, hw, true)
	if err != nil || sl.File == nil {
		return 0, false
	}
	defer sl.Release()
	if sl.Size < record.HeaderSize {
		return 0, false
	}
	var buf [record.HeaderSize]byte
	if _, err := sl.File.ReadAt(buf[:], sl.Position); err != nil {
		return 0, false
	}
	h, err := record.ParseHeader(buf[:])
	if err != nil {
		return 0, false
	}
	if h.IsLogAppendTime() {
		return h.MaxTimestamp, true
	}
	if h.BaseTimestamp == record.NoTimestamp {
		return -1, true
	}
	return h.BaseTimestamp, true
}

// catchUpSeconds records a sample and estimates how long the group needs
// to consume its lag at the current consume and produce rates: 0 with no
// lag, +Inf when it consumes no faster than records arrive. ok is false
// until two samples span some time.
func (l *lagTracker) catchUpSeconds(group, topic string, partition int32, committed, hw int64) (float64, bool) {
	k := sampleKey{group, topic, partition}
	r := l.samples[k]
	if r == nil {
		r = &sampleRing{}
		l.samples[k] = r
	}
	r.gen = l.gen
	r.add(sample{at: l.now, committed: committed, hw: hw}, l.window)
	lag := hw - committed
	if lag <= 0 {
		return 0, true
	}
	first, last := r.s[0], r.s[len(r.s)-1]
	dt := last.at.Sub(first.at).Seconds()
	if dt <= 0 {
		return 0, false
	}
	consume := float64(last.committed-first.committed) / dt
	produce := float64(last.hw-first.hw) / dt
	if consume <= produce {
		return math.Inf(1), true
	}
	return float64(lag) / (consume - produce), true
}

// add appends s, forgets samples older than the window (keeping the
// newest of them as the window's start, so a slow scrape interval still
// has a rate) and keeps samples spaced so at most maxSamples remain.
func (r *sampleRing) add(s sample, window time.Duration) {
	n := len(r.s)
	if n >= 2 && r.s[n-1].at.Sub(r.s[n-2].at) < window/(maxSamples-2) {
		r.s[n-1] = s // the newest is too close to its predecessor: move it
	} else {
		r.s = append(r.s, s)
	}
	cut := 0
	for cut+1 < len(r.s) && s.at.Sub(r.s[cut+1].at) >= window {
		cut++
	}
	if cut > 0 {
		r.s = append(r.s[:0], r.s[cut:]...)
	}
	if len(r.s) > maxSamples {
		r.s = append(r.s[:0], r.s[len(r.s)-maxSamples:]...)
	}
}
