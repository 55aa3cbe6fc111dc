package storage

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/odradek/odradek/internal/record"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// The log cleaner compacts logs whose cleanup.policy includes compact: for
// every key only the record with the highest offset is kept. It is a
// deliberately conservative subset of Kafka's cleaner:
//
//   - only inactive segments wholly below the high watermark, the first
//     unstable offset and min.compaction.lag.ms are cleaned, each segment
//     rewritten on its own (Kafka may merge small neighbours);
//   - transactional and control batches are kept whole, and they never
//     shadow older records (Kafka also removes aborted transactions);
//   - a batch of an idempotent producer that would lose every record is
//     kept whole, so producer state survives (Kafka keeps an empty batch);
//   - a tombstone that is the latest for its key is dropped once its batch's
//     max timestamp is older than delete.retention.ms (Kafka stamps a delete
//     horizon into the batch header instead);
//   - records without a key are dropped, as Kafka's cleaner does.
//
// Rewritten batches keep their base offset, last offset delta, producer
// fields and codec, so offsets and producer sequences are unchanged. A
// rewritten segment is written as <base>.log.cleaned, renamed .swap, then
// swapped in; loading completes a swap that a crash interrupted.

const (
	cleanerCheckpointFile = "cleaner-offset-checkpoint"
	logSwapSuffix         = logSuffix + swapSuffix
)

// completeSwaps finishes cleaner swaps interrupted by a crash: a complete
// "<base>.log.swap" replaces "<base>.log", whose indexes are then rebuilt.
func completeSwaps(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("storage: list %s: %w", dir, err)
	}
	for _, e := range ents {
		name := e.Name()
		if !strings.HasSuffix(name, logSwapSuffix) {
			continue
		}
		final := filepath.Join(dir, strings.TrimSuffix(name, swapSuffix))
		base := strings.TrimSuffix(final, logSuffix)
		for _, suf := range []string{indexSuffix, timeIndexSuffix} {
			if err := os.Remove(base + suf); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("storage: complete swap in %s: %w", dir, err)
			}
		}
		if err := os.Rename(filepath.Join(dir, name), final); err != nil {
			return fmt.Errorf("storage: complete swap in %s: %w", dir, err)
		}
	}
	return nil
}

// RunCleaner compacts every compacted log whose dirty ratio reached
// min.cleanable.dirty.ratio, then writes cleaner-offset-checkpoint.
func (m *Manager) RunCleaner() error {
	var errs []error
	now := m.cfg.Clock.Now().UnixMilli()
	changed := false
	for _, l := range m.Logs() {
		if !l.Config().compactPolicy() || l.checkOnline() != nil {
			continue
		}
		m.cleanMu.Lock()
		firstDirty, ok := m.cleanerOffsets[l.tp]
		m.cleanMu.Unlock()
		if !ok {
			firstDirty = -1
		}
		next, err := l.clean(firstDirty, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("storage: clean %s: %w", l.tp, err))
			continue
		}
		if next != firstDirty {
			m.cleanMu.Lock()
			m.cleanerOffsets[l.tp] = next
			m.cleanMu.Unlock()
			changed = true
		}
	}
	if changed {
		errs = append(errs, m.checkpointCleaner())
	}
	return errors.Join(errs...)
}

func (m *Manager) checkpointCleaner() error {
	var errs []error
	for d, logs := range m.byDir() {
		offs := map[TopicPartition]int64{}
		m.cleanMu.Lock()
		for _, l := range logs {
			if o, ok := m.cleanerOffsets[l.tp]; ok {
				offs[l.tp] = o
			}
		}
		m.cleanMu.Unlock()
		errs = append(errs, writeOffsetCheckpoint(filepath.Join(d, cleanerCheckpointFile), offs))
	}
	return errors.Join(errs...)
}

// cleanPlan is what one cleaning pass works on, taken under the log lock.
type cleanPlan struct {
	segs       []*segment // cleanable segments, oldest first
	sizes      []int64    // their sizes, read under the lock
	ends       []int64    // each segment's end offset (next segment's base)
	truncs     int64      // l.truncations when planned
	firstDirty int64
	cfg        LogConfig
}

// planClean picks the cleanable segments and decides whether the dirty
// ratio justifies a pass.
func (l *Log) planClean(firstDirty, nowMs int64) (cleanPlan, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	p := cleanPlan{cfg: l.cfg, truncs: l.truncations}
	if !l.configured {
		return p, false
	}
	limit := l.hw.Load()
	if fu := l.firstUnstable.Load(); fu >= 0 {
		limit = min(limit, fu)
	}
	for i, s := range l.segments[:len(l.segments)-1] {
		end := l.segments[i+1].baseOffset
		if end > limit || (p.cfg.MinCompactionLagMs > 0 && s.maxTimestamp > nowMs-p.cfg.MinCompactionLagMs) {
			break
		}
		p.segs = append(p.segs, s)
		p.sizes = append(p.sizes, s.size)
		p.ends = append(p.ends, end)
	}
	if len(p.segs) == 0 {
		return p, false
	}
	p.firstDirty = max(firstDirty, l.logStart.Load(), p.segs[0].baseOffset)
	var dirty, total int64
	for i := range p.segs {
		total += p.sizes[i]
		if p.ends[i] > p.firstDirty {
			dirty += p.sizes[i]
		}
	}
	if dirty == 0 || total == 0 || float64(dirty)/float64(total) < p.cfg.MinCleanableDirtyRatio {
		return p, false
	}
	return p, true
}

// clean runs one pass and returns the new first dirty offset.
func (l *Log) clean(firstDirty, nowMs int64) (int64, error) {
	l.cleanMu.Lock()
	defer l.cleanMu.Unlock()
	p, ok := l.planClean(firstDirty, nowMs)
	if !ok {
		return firstDirty, nil
	}
	latest := map[string]int64{}
	for i, s := range p.segs {
		if p.ends[i] <= p.firstDirty {
			continue
		}
		err := scanSegment(s, p.sizes[i], func(h *record.Header, batch []byte) error {
			if h.IsControl() || h.IsTransactional() {
				return nil
			}
			return record.ForEachRecord(h, batch, func(_ int, r *kmsg.Record) error {
				if r.Key != nil {
					latest[string(r.Key)] = h.BaseOffset + int64(r.OffsetDelta)
				}
				return nil
			})
		})
		if err != nil {
			return firstDirty, abandonIfRemoved(err)
		}
	}
	tombstoneCutoff := nowMs - p.cfg.DeleteRetentionMs
	for i, s := range p.segs {
		cleaned := s.logPath() + cleanedSuffix
		changed, err := cleanSegment(s, p.sizes[i], latest, tombstoneCutoff, cleaned)
		if err != nil || !changed {
			os.Remove(cleaned)
			if err != nil {
				return firstDirty, abandonIfRemoved(err)
			}
			continue
		}
		if err := l.swapSegment(s, cleaned, p); err != nil {
			return firstDirty, err
		}
	}
	return p.ends[len(p.ends)-1], nil
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

// cleanSegment writes the segment's batches, superseded records removed,
// to the file at path (fsynced) and reports whether anything changed.
func cleanSegment(s *segment, size int64, latest map[string]int64, tombstoneCutoff int64, path string) (bool, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return false, fmt.Errorf("storage: create %s: %w", path, err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	changed := false
	// bufio's error is sticky; Flush reports any write failure.
	err = scanSegment(s, size, func(h *record.Header, batch []byte) error {
		if h.IsControl() || h.IsTransactional() {
			w.Write(batch)
			return nil
		}
		var kept []kmsg.Record
		dropped := 0
		keptMaxTs := int64(record.NoTimestamp)
		err := record.ForEachRecord(h, batch, func(_ int, r *kmsg.Record) error {
			off := h.BaseOffset + int64(r.OffsetDelta)
			keep := r.Key != nil
			if keep {
				if newest, ok := latest[string(r.Key)]; ok && newest > off {
					keep = false
				}
			}
			if keep && r.Value == nil && h.MaxTimestamp < tombstoneCutoff {
				keep = false
			}
			if !keep {
				dropped++
				return nil
			}
			c := *r
			c.Key = append([]byte(nil), r.Key...)
			c.Value = append([]byte(nil), r.Value...)
			if r.Value == nil {
				c.Value = nil
			}
			c.Headers = append([]kmsg.Header(nil), r.Headers...)
			kept = append(kept, c)
			keptMaxTs = max(keptMaxTs, h.BaseTimestamp+r.TimestampDelta64)
			return nil
		})
		if err != nil {
			return err
		}
		switch {
		case dropped == 0, len(kept) == 0 && h.HasProducerID():
			w.Write(batch)
		case len(kept) == 0:
			changed = true
		default:
			nh := *h
			if !h.IsLogAppendTime() {
				// Like Kafka, the rebuilt batch's max timestamp is
				// that of the records it still holds.
				nh.MaxTimestamp = keptMaxTs
			}
			nb, err := record.Build(nh, kept, h.Codec())
			if err != nil {
				return err
			}
			w.Write(nb)
			changed = true
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	if !changed {
		return false, nil
	}
	if err := w.Flush(); err != nil {
		return false, fmt.Errorf("storage: write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return false, fmt.Errorf("storage: sync %s: %w", path, err)
	}
	return true, nil
}

// swapSegment replaces s with the fsynced .cleaned file: it becomes .swap,
// then under the log lock the old files become .deleted and the swap file
// takes the segment's name.
func (l *Log) swapSegment(s *segment, cleaned string, p cleanPlan) error {
	cfg := p.cfg
	final := s.logPath()
	swap := final + swapSuffix
	if err := os.Rename(cleaned, swap); err != nil {
		return fmt.Errorf("storage: rename %s: %w", cleaned, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	idx := -1
	for i, cur := range l.segments[:len(l.segments)-1] {
		if cur == s {
			idx = i
		}
	}
	if idx < 0 || l.closed || l.truncations != p.truncs {
		// Retention or truncation removed the segment meanwhile, or a
		// truncation removed records the key map counted on.
		os.Remove(swap)
		return nil
	}
	old, err := s.renameForDelete()
	if err != nil {
		l.ioError(err)
		return err
	}
	if err := os.Rename(swap, final); err != nil {
		l.ioError(err)
		return fmt.Errorf("storage: rename %s: %w", swap, err)
	}
	ns, err := openSegmentFiles(l.dir, s.baseOffset, cfg)
	if err != nil {
		l.ioError(err)
		return err
	}
	if _, err := ns.recover(cfg.IndexIntervalBytes, nil); err != nil {
		ns.closeFiles()
		l.ioError(err)
		return err
	}
	if err := ns.onBecomeInactive(); err != nil {
		ns.closeFiles()
		l.ioError(err)
		return err
	}
	l.segments[idx] = ns
	l.recomputeSize()
	l.env.scheduleDelete(old, time.Duration(cfg.FileDeleteDelayMs)*time.Millisecond)
	return nil
}
