package storage

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

// Truncate removes everything at and after offset (follower truncation to
// the leader's epoch end offset). A batch straddling offset is removed
// whole, so the log end can land below offset; if offset falls in a gap
// between batches the log end becomes offset.
func (l *Log) Truncate(offset int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return fmt.Errorf("storage: truncate %s: log is closed", l.tp)
	}
	if offset >= l.logEnd.Load() {
		return nil
	}
	l.truncations++
	if offset < 0 {
		return fmt.Errorf("storage: truncate %s to negative offset %d: %w", l.tp, offset, kerr.OffsetOutOfRange)
	}
	if offset <= l.segments[0].baseOffset {
		return l.truncateFullyLocked(offset)
	}
	i := l.segmentFor(offset)
	var drop []*segment
	drop, l.segments = l.segments[i+1:], l.segments[:i+1]
	if err := l.removeSegments(drop, 0); err != nil {
		return err
	}
	s := l.activeSegment()
	end, err := s.truncateTo(offset, l.cfg.IndexIntervalBytes)
	if err != nil {
		return fmt.Errorf("storage: truncate %s: %w", l.tp, err)
	}
	if err := s.resizeIndexes(l.cfg.SegmentIndexBytes); err != nil {
		return err
	}
	l.afterTruncate(end)
	if err := deleteSnapshotsFrom(l.dir, end+1); err != nil {
		return err
	}
	return l.rebuildProducerState()
}

// TruncateFully empties the log and restarts it at offset (a follower
// whose leader's log start is past its end).
func (l *Log) TruncateFully(offset int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.truncateFullyLocked(offset)
}

func (l *Log) truncateFullyLocked(offset int64) error {
	l.truncations++
	old := l.segments
	l.segments = nil
	if err := l.removeSegments(old, 0); err != nil {
		return err
	}
	s, err := createSegment(l.dir, offset, l.cfg, l.env.clock.Now(), l.env.jitter(l.cfg.SegmentJitterMs))
	if err != nil {
		return err
	}
	l.segments = []*segment{s}
	l.logStart.Store(offset)
	l.epochs.clear()
	l.afterTruncate(offset)
	if err := deleteSnapshotsFrom(l.dir, 0); err != nil {
		return err
	}
	l.producers = newProducerState()
	l.producers.mapEndOffset = offset
	return nil
}

func (l *Log) afterTruncate(end int64) {
	l.logEnd.Store(end)
	l.logStart.Store(min(l.logStart.Load(), end))
	l.hw.Store(min(l.hw.Load(), end))
	l.recoveryPoint = min(l.recoveryPoint, end)
	l.epochs.truncateFromEnd(end)
	if err := l.epochs.flush(); err != nil {
		l.env.logger.Warn("leader epoch checkpoint failed", "partition", l.tp.String(), "error", err)
	}
	l.recomputeSize()
}

// truncateTo cuts the segment at the start of the batch holding offset and
// rebuilds its indexes; it returns the new end offset.
func (s *segment) truncateTo(offset int64, indexInterval int32) (int64, error) {
	pos, h, err := s.findBatch(offset)
	if errors.Is(err, io.EOF) {
		// offset lies in a gap after this segment's last batch: nothing
		// here to cut, and the log resumes at offset.
		return offset, nil
	}
	if err != nil {
		return 0, err
	}
	if err := s.log.Truncate(pos); err != nil {
		return 0, fmt.Errorf("storage: truncate %s: %w", s.logPath(), err)
	}
	if _, err := s.recover(indexInterval, nil); err != nil {
		return 0, err
	}
	// A batch straddling offset goes whole and the log resumes at its
	// base (Kafka would resume at offset, leaving a hole the leader has
	// data for); a batch past a gap leaves the log resuming at offset.
	return min(offset, h.BaseOffset), nil
}

// DeleteRecordsBefore moves the log start to offset (DeleteRecords) and
// deletes segments wholly below it. offset -1 means the high watermark, as
// in the DeleteRecords API; other negative offsets and offsets above the
// high watermark are kerr.OffsetOutOfRange.
func (l *Log) DeleteRecordsBefore(offset int64) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, fmt.Errorf("storage: delete records of %s: log is closed: %w", l.tp, kerr.NotLeaderForPartition)
	}
	if offset == -1 {
		offset = l.hw.Load()
	}
	if offset > l.hw.Load() || offset < 0 {
		return l.logStart.Load(), fmt.Errorf("storage: delete records of %s before %d: high watermark is %d: %w", l.tp, offset, l.hw.Load(), kerr.OffsetOutOfRange)
	}
	if offset > l.logStart.Load() {
		l.logStart.Store(offset)
		l.epochs.truncateFromStart(offset)
	}
	if err := l.deleteLogStartBreached(); err != nil {
		return l.logStart.Load(), err
	}
	return l.logStart.Load(), nil
}

// deleteLogStartBreached deletes segments whose successor starts at or
// below the log start. The caller holds l.mu.
func (l *Log) deleteLogStartBreached() error {
	start := l.logStart.Load()
	n := 0
	for n+1 < len(l.segments) && l.segments[n+1].baseOffset <= start {
		n++
	}
	return l.deleteOldest(n)
}

// deleteOldest removes the n oldest segments, rolling first if that would
// remove the active one. The caller holds l.mu.
func (l *Log) deleteOldest(n int) error {
	if n <= 0 {
		return nil
	}
	if n >= len(l.segments) {
		if err := l.roll(l.logEnd.Load()); err != nil {
			return err
		}
		n = len(l.segments) - 1
	}
	drop := append([]*segment(nil), l.segments[:n]...)
	l.segments = append([]*segment(nil), l.segments[n:]...)
	newStart := max(l.logStart.Load(), l.segments[0].baseOffset)
	l.logStart.Store(newStart)
	l.hw.Store(max(l.hw.Load(), newStart))
	l.epochs.truncateFromStart(newStart)
	if err := l.epochs.flush(); err != nil {
		l.env.logger.Warn("leader epoch checkpoint failed", "partition", l.tp.String(), "error", err)
	}
	delay := time.Duration(l.cfg.FileDeleteDelayMs) * time.Millisecond
	if err := l.removeSegments(drop, delay); err != nil {
		return err
	}
	l.recomputeSize()
	return deleteSnapshotsBelow(l.dir, l.segments[0].baseOffset)
}

// removeSegments renames segments to .deleted and schedules their removal.
func (l *Log) removeSegments(segs []*segment, delay time.Duration) error {
	var errs []error
	for _, s := range segs {
		files, err := s.renameForDelete()
		errs = append(errs, err)
		l.env.scheduleDelete(files, delay)
	}
	return errors.Join(errs...)
}

func (l *Log) markDeleted() {
	l.mu.Lock()
	l.deleted = true
	l.mu.Unlock()
}

// close snapshots producer state, writes the leader epoch checkpoint and
// closes every segment, trimming preallocated files.
func (l *Log) close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	// No roll can start a flush now; wait for those already running.
	l.bg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []error
	if !l.deleted {
		errs = append(errs, writeProducerSnapshot(l.dir, l.logEnd.Load(), l.producers.producers))
		errs = append(errs, l.epochs.flush())
	}
	errs = append(errs, l.closeSegments())
	return errors.Join(errs...)
}

func (l *Log) closeSegments() error {
	var errs []error
	for _, s := range l.segments {
		errs = append(errs, s.close())
	}
	return errors.Join(errs...)
}
