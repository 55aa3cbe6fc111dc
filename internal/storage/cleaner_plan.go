package storage

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/odradek/odradek/internal/record"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// cleanPlan is what one cleaning pass works on, taken under the log lock.
type cleanPlan struct {
	segs       []*segment // inactive segments below firstUncleanable, oldest first
	sizes      []int64    // their sizes, read under the lock
	ends       []int64    // each segment's end offset (next segment's base)
	indexBytes []int64    // their offset index sizes
	timeBytes  []int64    // their time index sizes
	truncs     int64      // l.truncations when planned
	firstDirty int64
	// firstUncleanable is where the dirty section ends.
	firstUncleanable int64
	cfg              LogConfig
	producers        map[int64]producerLast
}

// planClean picks the cleanable segments and decides whether the log needs
// a pass: its dirty ratio exceeds min.cleanable.dirty.ratio, its oldest
// dirty batch is older than max.compaction.lag.ms, or a delete horizon
// stamped by an earlier pass (pendingHorizon) has passed.
func (l *Log) planClean(firstDirty, pendingHorizon, nowMs int64) (cleanPlan, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	p := cleanPlan{cfg: l.cfg, truncs: l.truncations}
	if !l.configured || l.closed {
		return p, false
	}
	logStart := l.logStart.Load()
	if firstDirty < logStart || firstDirty > l.logEnd.Load() {
		firstDirty = logStart
	}
	limit := min(l.hw.Load(), l.activeSegment().baseOffset)
	if fu := l.firstUnstable.Load(); fu >= 0 {
		limit = min(limit, fu)
	}
	lag := p.cfg.MinCompactionLagMs
	for i, s := range l.segments[:len(l.segments)-1] {
		end := l.segments[i+1].baseOffset
		if end > limit {
			break
		}
		if end > firstDirty && lag > 0 && s.maxTimestamp > nowMs-lag {
			break // too recent for min.compaction.lag.ms
		}
		p.segs = append(p.segs, s)
		p.sizes = append(p.sizes, s.size)
		p.ends = append(p.ends, end)
		p.indexBytes = append(p.indexBytes, int64(s.oidx.entries()*offsetIndexEntrySize))
		p.timeBytes = append(p.timeBytes, int64(s.tidx.entries()*timeIndexEntrySize))
	}
	if len(p.segs) == 0 {
		return p, false
	}
	p.firstDirty = max(firstDirty, p.segs[0].baseOffset)
	p.firstUncleanable = max(p.ends[len(p.ends)-1], p.firstDirty)
	var dirty, total int64
	needNow := false
	maxLag := p.cfg.MaxCompactionLagMs
	for i, s := range p.segs {
		total += p.sizes[i]
		if p.ends[i] <= p.firstDirty {
			continue
		}
		if dirty == 0 && maxLag > 0 && s.rollingBasedTimestamp >= 0 && s.rollingBasedTimestamp < nowMs-maxLag {
			needNow = true
		}
		dirty += p.sizes[i]
	}
	ratio := 0.0
	if total > 0 {
		ratio = float64(dirty) / float64(total)
	}
	due := (dirty > 0 && (needNow || ratio > p.cfg.MinCleanableDirtyRatio)) || pendingHorizon <= nowMs
	if !due {
		return p, false
	}
	p.producers = make(map[int64]producerLast, len(l.producers.producers))
	for pid, e := range l.producers.producers {
		p.producers[pid] = producerLast{lastOffset: e.lastOffset(), epoch: e.epoch}
	}
	return p, true
}

var errOffsetMapFull = errors.New("offset map full")

// buildOffsetMap fills offsets with the latest offset of every key in the
// dirty section, skipping aborted transactions and control batches. It
// returns the offset the map covers up to: the first uncleanable offset,
// or the first batch that did not fit.
func (l *Log) buildOffsetMap(p *cleanPlan, offsets *offsetMap) (int64, error) {
	txns := newCleanerTxns(l.AbortedTransactions(p.firstDirty, p.firstUncleanable))
	end := p.firstUncleanable
	for i, s := range p.segs {
		if p.ends[i] <= p.firstDirty {
			continue
		}
		err := scanSegment(s, p.sizes[i], func(h *record.Header, batch []byte) error {
			if h.BaseOffset < p.firstDirty {
				return nil
			}
			if h.IsControl() {
				if h.RecordCount == 0 {
					return nil
				}
				c, err := record.ParseControlBatch(h, batch)
				if err != nil {
					return err
				}
				txns.onMarker(h, c)
				return nil
			}
			if txns.onDataBatch(h) {
				return nil
			}
			if !offsets.fits(int(h.RecordCount)) {
				if len(offsets.m) == 0 {
					return errDedupeBufferTooSmall(int(h.RecordCount), offsets.capacity)
				}
				end = h.BaseOffset
				return errOffsetMapFull
			}
			return record.ForEachRecord(h, batch, func(_ int, r *kmsg.Record) error {
				if r.Key != nil {
					offsets.put(r.Key, h.BaseOffset+int64(r.OffsetDelta))
				}
				return nil
			})
		})
		if errors.Is(err, errOffsetMapFull) {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	return end, nil
}

// groupSegmentsBySize splits the segments below end into runs of adjacent
// segments to be merged, each fitting segment.bytes, segment.index.bytes
// (offset and time index alike) and int32 offsets relative to its base.
func groupSegmentsBySize(p *cleanPlan, end int64) [][]int {
	n := 0
	for n < len(p.segs) && p.segs[n].baseOffset < end {
		n++
	}
	maxIndex := int64(p.cfg.SegmentIndexBytes)
	var groups [][]int
	for i := 0; i < n; {
		g := []int{i}
		size, idx, tidx := p.sizes[i], p.indexBytes[i], p.timeBytes[i]
		j := i + 1
		for ; j < n; j++ {
			if size+p.sizes[j] > p.cfg.SegmentBytes || idx+p.indexBytes[j] > maxIndex ||
				tidx+p.timeBytes[j] > maxIndex || p.ends[j]-1-p.segs[i].baseOffset > math.MaxInt32 {
				break
			}
			size, idx, tidx = size+p.sizes[j], idx+p.indexBytes[j], tidx+p.timeBytes[j]
			g = append(g, j)
		}
		groups = append(groups, g)
		i = j
	}
	return groups
}

// cleanGroup rewrites one group into a single segment and swaps it in. A
// lone segment that the filter leaves unchanged is not rewritten.
func (l *Log) cleanGroup(p *cleanPlan, g []int, f *cleanFilter) error {
	segs := make([]*segment, len(g))
	for k, i := range g {
		segs[k] = p.segs[i]
	}
	base := segs[0].baseOffset
	f.txns = newCleanerTxns(l.AbortedTransactions(base, p.ends[g[len(g)-1]]))
	c := newCleanedFiles(l.dir, base)
	changed, err := writeCleaned(p, g, f, c.log)
	if err != nil || !changed {
		os.Remove(c.log)
		return err
	}
	err = writeTxnIndexFile(c.txnIndex, f.txns.retained)
	if err == nil {
		err = buildCleanedIndexes(l.dir, base, p.cfg, c)
	}
	if err == nil {
		err = l.cleanerStep(stepCleaned)
	}
	if err != nil {
		c.remove()
		return err
	}
	return l.swapIn(p, segs, c)
}

// writeCleaned writes the group's filtered batches to path, fsynced, and
// reports whether the result differs from the input.
func writeCleaned(p *cleanPlan, g []int, f *cleanFilter, path string) (bool, error) {
	out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return false, fmt.Errorf("storage: create %s: %w", path, err)
	}
	defer out.Close()
	w := bufio.NewWriterSize(out, 1<<20)
	changed := len(g) > 1
	for _, i := range g {
		// bufio's error is sticky; Flush reports any write failure.
		err := scanSegment(p.segs[i], p.sizes[i], func(h *record.Header, batch []byte) error {
			b, ch, err := f.filter(h, batch)
			if err != nil {
				return err
			}
			changed = changed || ch
			w.Write(b)
			return nil
		})
		if err != nil {
			return false, err
		}
	}
	if !changed {
		return false, nil
	}
	if err := w.Flush(); err != nil {
		return false, fmt.Errorf("storage: write %s: %w", path, err)
	}
	if err := out.Sync(); err != nil {
		return false, fmt.Errorf("storage: sync %s: %w", path, err)
	}
	return true, nil
}

// abandonIfRemoved turns the errors of a segment closed under the cleaner
// (retention or truncation won the race) into a quiet abandon.
func abandonIfRemoved(err error) error {
	if errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}

// scanSegment calls fn with every batch of s in order.
func scanSegment(s *segment, size int64, fn func(h *record.Header, batch []byte) error) error {
	var pos int64
	for pos < size {
		var hdr [record.HeaderSize]byte
		if _, err := s.log.ReadAt(hdr[:], pos); err != nil {
			return fmt.Errorf("read %s at %d: %w", s.logPath(), pos, err)
		}
		h, err := record.ParseHeader(hdr[:])
		if err != nil {
			return err
		}
		batch := make([]byte, h.Size())
		if _, err := s.log.ReadAt(batch, pos); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read %s at %d: %w", s.logPath(), pos, err)
		}
		if err := fn(&h, batch); err != nil {
			return err
		}
		pos += int64(h.Size())
	}
	return nil
}
