package storage

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/odradek/odradek/internal/record"
)

// recover rebuilds the segment's indexes and max timestamp by scanning
// every batch, and truncates the log at the first batch that is torn or
// fails validation (length, magic, CRC, offsets). onBatch sees each valid
// batch's header. It returns the number of bytes truncated.
func (s *segment) recover(indexInterval int32, onBatch func(h *record.Header)) (int64, error) {
	if err := s.oidx.reset(); err != nil {
		return 0, err
	}
	if err := s.tidx.reset(); err != nil {
		return 0, err
	}
	s.maxTimestamp, s.offsetOfMaxTimestamp, s.bytesSinceLastIndex = -1, s.baseOffset, 0
	s.rollingBasedTimestamp = -1
	st, err := s.log.Stat()
	if err != nil {
		return 0, fmt.Errorf("storage: stat %s: %w", s.logPath(), err)
	}
	fileSize := st.Size()
	r := bufio.NewReaderSize(io.NewSectionReader(s.log, 0, fileSize), 1<<20)
	var valid int64
	next := s.baseOffset
	prefix := make([]byte, record.LogOverhead)
	buf := make([]byte, 0, 64<<10)
	for {
		if _, err := io.ReadFull(r, prefix); err != nil {
			break
		}
		length := int64(int32(binary.BigEndian.Uint32(prefix[8:])))
		if length < record.HeaderSize-record.LogOverhead || length > fileSize-valid-record.LogOverhead {
			break
		}
		size := record.LogOverhead + int(length)
		if cap(buf) < size {
			buf = make([]byte, 0, size)
		}
		buf = append(buf[:0], prefix...)
		buf = buf[:size]
		if _, err := io.ReadFull(r, buf[record.LogOverhead:]); err != nil {
			break
		}
		h, err := record.Validate(buf)
		if err != nil || h.BaseOffset < s.baseOffset || !s.canHold(h.LastOffset()) {
			break
		}
		if valid == 0 {
			s.rollingBasedTimestamp = h.MaxTimestamp
		}
		if err := s.indexBatch(batchInfo{h.BaseOffset, h.LastOffset(), h.MaxTimestamp, int32(size)}, valid, indexInterval); err != nil {
			return 0, err
		}
		if onBatch != nil {
			onBatch(&h)
		}
		valid += int64(size)
		next = h.LastOffset() + 1
	}
	// Aborted transactions whose marker was cut off are replayed (or not)
	// with the producer state.
	if err := s.txn.truncateTo(next); err != nil {
		return 0, err
	}
	truncated := fileSize - valid
	if truncated > 0 {
		if err := s.log.Truncate(valid); err != nil {
			return 0, fmt.Errorf("storage: truncate %s to %d: %w", s.logPath(), valid, err)
		}
	}
	s.size = valid
	s.preallocated = false
	if s.maxTimestamp >= 0 {
		if err := s.tidx.maybeAppend(s.maxTimestamp, s.offsetOfMaxTimestamp, true); err != nil {
			return 0, err
		}
	}
	return truncated, nil
}

// loadState fills in what a segment that is not being recovered needs from
// its indexes: the max timestamp from the time index's last entry and the
// first batch's timestamp for segment.ms.
func (s *segment) loadState() error {
	if s.tidx.entries() > 0 {
		s.maxTimestamp, s.offsetOfMaxTimestamp = s.tidx.lastEntry()
	}
	if s.size > 0 {
		h, err := s.readHeader(0)
		if err != nil {
			return err
		}
		s.rollingBasedTimestamp = h.MaxTimestamp
	}
	return nil
}

// loadOptions carries log-dir state into loadLog.
type loadOptions struct {
	cleanShutdown bool
	recoveryPoint int64 // -1 if not checkpointed
	logStart      int64 // -1 if not checkpointed
	highWatermark int64 // -1 if not checkpointed
}

// cleanupPartitionDir removes what an interrupted operation left behind:
// it completes interrupted cleaner swaps, then removes .deleted, .cleaned
// and leftover .swap files, temporary files, and index files without a
// .log. It returns the base offsets of the .log files.
func cleanupPartitionDir(dir string) ([]int64, error) {
	if err := completeSwaps(dir); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("storage: list %s: %w", dir, err)
	}
	logs := map[int64]bool{}
	var indexes []string
	for _, e := range ents {
		name := e.Name()
		path := filepath.Join(dir, name)
		switch {
		case strings.HasSuffix(name, deletedSuffix), strings.HasSuffix(name, cleanedSuffix),
			strings.HasSuffix(name, swapSuffix), strings.HasSuffix(name, ".tmp"):
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("storage: remove leftover %s: %w", path, err)
			}
		case strings.HasSuffix(name, logSuffix):
			off, err := strconv.ParseInt(strings.TrimSuffix(name, logSuffix), 10, 64)
			if err == nil {
				logs[off] = true
			}
		case strings.HasSuffix(name, indexSuffix), strings.HasSuffix(name, timeIndexSuffix), strings.HasSuffix(name, txnIndexSuffix):
			indexes = append(indexes, name)
		}
	}
	for _, name := range indexes {
		base := name[:strings.IndexByte(name, '.')]
		off, err := strconv.ParseInt(base, 10, 64)
		if err != nil || !logs[off] {
			os.Remove(filepath.Join(dir, name))
		}
	}
	out := make([]int64, 0, len(logs))
	for off := range logs {
		out = append(out, off)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

// loadSegments opens the segments of l.dir, recovering those after the
// recovery point (all of them after an unclean shutdown) and any whose
// index is missing or corrupt. The caller holds l.mu.
func (l *Log) loadSegments(opts loadOptions) error {
	bases, err := cleanupPartitionDir(l.dir)
	if err != nil {
		return err
	}
	cfg := l.cfg
	recoverFrom := int64(-1) // segments with base >= this are recovered
	if !opts.cleanShutdown {
		recoverFrom = 0
		if opts.recoveryPoint >= 0 {
			// Recover from the segment holding the recovery point.
			i := sort.Search(len(bases), func(i int) bool { return bases[i] > opts.recoveryPoint })
			if i > 0 {
				recoverFrom = bases[i-1]
			}
		}
	}
	for i, base := range bases {
		_, idxErr := os.Stat(offsetFileName(l.dir, base, indexSuffix))
		_, tidxErr := os.Stat(offsetFileName(l.dir, base, timeIndexSuffix))
		s, err := openSegmentFiles(l.dir, base, cfg)
		if err != nil {
			return err
		}
		l.segments = append(l.segments, s)
		needRecover := recoverFrom >= 0 && base >= recoverFrom
		if idxErr != nil || tidxErr != nil {
			needRecover = true
		} else if err := s.oidx.sanityCheck(s.size); err != nil {
			l.env.logger.Warn("rebuilding offset index", "partition", l.tp.String(), "error", err)
			needRecover = true
		} else if err := s.tidx.sanityCheck(1<<62 - 1); err != nil {
			l.env.logger.Warn("rebuilding time index", "partition", l.tp.String(), "error", err)
			needRecover = true
		}
		if !needRecover {
			if err := s.loadState(); err != nil {
				needRecover = true
			}
		}
		if needRecover {
			truncated, err := s.recover(cfg.IndexIntervalBytes, func(h *record.Header) {
				l.epochs.assign(h.PartitionLeaderEpoch, h.BaseOffset)
			})
			if err != nil {
				return err
			}
			if truncated > 0 {
				l.env.logger.Warn("truncated invalid bytes at the end of a segment", "partition", l.tp.String(), "segment", base, "bytes", truncated)
				// Everything after a torn segment is unreachable.
				for _, later := range bases[i+1:] {
					for _, suf := range []string{logSuffix, indexSuffix, timeIndexSuffix, txnIndexSuffix} {
						os.Remove(offsetFileName(l.dir, later, suf))
					}
				}
				break
			}
		}
	}
	if len(l.segments) == 0 {
		start := max(opts.logStart, 0)
		s, err := createSegment(l.dir, start, cfg, l.env.clock.Now(), l.env.jitter(cfg.SegmentJitterMs))
		if err != nil {
			return err
		}
		l.segments = append(l.segments, s)
	}
	// Inactive segments' indexes are trimmed; the active one is
	// preallocated again so it can grow.
	for _, s := range l.segments[:len(l.segments)-1] {
		if err := s.oidx.trimToValidSize(); err != nil {
			return err
		}
		if err := s.tidx.trimToValidSize(); err != nil {
			return err
		}
	}
	active := l.activeSegment()
	active.rollJitterMs = l.env.jitter(cfg.SegmentJitterMs)
	if err := active.resizeIndexes(cfg.SegmentIndexBytes); err != nil {
		return err
	}
	end, err := active.nextOffset()
	if err != nil {
		return err
	}
	l.logEnd.Store(end)
	l.logStart.Store(min(max(opts.logStart, l.segments[0].baseOffset), end))
	l.recoveryPoint = end
	if opts.cleanShutdown && opts.recoveryPoint >= 0 {
		l.recoveryPoint = min(opts.recoveryPoint, end)
	}
	l.hw.Store(min(max(opts.highWatermark, l.logStart.Load()), end))
	l.epochs.truncateFromEnd(end)
	l.epochs.truncateFromStart(l.logStart.Load())
	if err := l.epochs.flush(); err != nil {
		return err
	}
	l.recomputeSize()
	return l.rebuildProducerState()
}

// rebuildProducerState loads the newest snapshot at or below the log end
// and replays batch headers from there to the end. The caller holds l.mu.
func (l *Log) rebuildProducerState() error {
	end := l.logEnd.Load()
	entries, snapOff, ok, err := loadLatestSnapshot(l.dir, end)
	if err != nil {
		return err
	}
	l.producers = newProducerState()
	from := l.logStart.Load()
	if ok {
		l.producers.producers = entries
		from = max(snapOff, from)
	}
	pa := l.producers.begin()
	for i := l.segmentFor(from); i < len(l.segments); i++ {
		s := l.segments[i]
		pos, h, err := s.findBatch(from)
		for err == nil {
			if h.HasProducerID() {
				var m *txnMarker
				if h.IsControl() {
					if m, err = s.readMarker(pos, &h); err != nil {
						break
					}
				}
				n := len(pa.completed)
				pa.record(&h, m)
				if n < len(pa.completed) && pa.completed[n].aborted {
					c := pa.completed[n]
					if err = s.txn.append(AbortedTxn{c.producerID, c.firstOffset, c.lastOffset, c.lastStableOffset}); err != nil {
						break
					}
				}
			}
			pos += int64(h.Size())
			h, err = s.readHeader(pos)
		}
		if !errors.Is(err, io.EOF) {
			return fmt.Errorf("storage: rebuild producer state of %s: %w", l.tp, err)
		}
	}
	pa.completed = nil // decided before the restart; replicated or not, HW will tell
	pa.commit(end)
	l.firstUnstable.Store(l.producers.firstUnstableOffset())
	// Like Kafka, producers outlive the log head (DeleteRecords, retention)
	// and leave only by expiring.
	if l.env.producerIDExpirationMs > 0 {
		l.producers.expire(l.env.clock.Now().UnixMilli() - l.env.producerIDExpirationMs)
	}
	return nil
}

// readMarker decodes the transaction marker of the control batch at pos;
// nil for other control records.
func (s *segment) readMarker(pos int64, h *record.Header) (*txnMarker, error) {
	if h.RecordCount == 0 {
		// A cleaner emptied it: its whole transaction is gone.
		return nil, nil
	}
	batch := make([]byte, h.Size())
	if _, err := s.log.ReadAt(batch, pos); err != nil {
		return nil, fmt.Errorf("storage: read segment %s at %d: %w", s.logPath(), pos, err)
	}
	cr, err := record.ParseControlBatch(h, batch)
	if err != nil {
		return nil, err
	}
	if !cr.IsTxnMarker() {
		return nil, nil
	}
	return &txnMarker{commit: cr.Type == record.ControlCommit, coordinatorEpoch: cr.CoordinatorEpoch}, nil
}
