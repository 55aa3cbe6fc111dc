package storage

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/odradek/odradek/internal/record"
)

// File name suffixes Kafka uses inside a partition directory.
const (
	logSuffix       = ".log"
	indexSuffix     = ".index"
	timeIndexSuffix = ".timeindex"
	txnIndexSuffix  = ".txnindex"
	snapshotSuffix  = ".snapshot"
	deletedSuffix   = ".deleted"
	cleanedSuffix   = ".cleaned"
	swapSuffix      = ".swap"
)

func offsetFileName(dir string, offset int64, suffix string) string {
	return filepath.Join(dir, fmt.Sprintf("%020d%s", offset, suffix))
}

// segment is one .log file with its .index and .timeindex. Its fields are
// guarded by the owning Log's mutex.
type segment struct {
	dir        string
	baseOffset int64
	log        *os.File
	size       int64 // bytes of complete batches
	oidx       *offsetIndex
	tidx       *timeIndex
	txn        *txnIndex

	maxTimestamp         int64 // -1 until a batch with a timestamp arrives
	offsetOfMaxTimestamp int64
	bytesSinceLastIndex  int64
	// rollingBasedTimestamp is the first batch's max timestamp; segment.ms
	// is measured from it, as in Kafka, or from created when unknown.
	rollingBasedTimestamp int64
	created               time.Time
	rollJitterMs          int64
	preallocated          bool

	// logRefs counts the owner (1 until closed) plus open FileSlices, so a
	// zero-copy send can finish after the segment was deleted or cleaned.
	logRefs atomic.Int64
	// writebackFrom is where the data not yet handed to writeback starts.
	writebackFrom int64
	ownerRelease  sync.Once
}

func (s *segment) logPath() string { return offsetFileName(s.dir, s.baseOffset, logSuffix) }

// createSegment makes a fresh segment. Stale files with the same base offset
// (left by a truncation) are replaced.
func createSegment(dir string, base int64, cfg LogConfig, now time.Time, jitterMs int64) (*segment, error) {
	for _, suf := range []string{logSuffix, indexSuffix, timeIndexSuffix, txnIndexSuffix} {
		if err := os.Remove(offsetFileName(dir, base, suf)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("storage: remove stale %s: %w", offsetFileName(dir, base, suf), err)
		}
	}
	s, err := openSegmentFiles(dir, base, cfg)
	if err != nil {
		return nil, err
	}
	s.created = now
	s.rollJitterMs = jitterMs
	if cfg.Preallocate {
		if err := s.log.Truncate(cfg.SegmentBytes); err != nil {
			s.closeFiles()
			return nil, fmt.Errorf("storage: preallocate %s: %w", s.logPath(), err)
		}
		s.preallocated = true
	}
	if err := s.resizeIndexes(cfg.SegmentIndexBytes); err != nil {
		s.closeFiles()
		return nil, err
	}
	return s, nil
}

// openSegmentFiles opens (creating if absent) the three files of a segment.
// size is the .log file length; recovery corrects it if the tail is bad.
func openSegmentFiles(dir string, base int64, cfg LogConfig) (*segment, error) {
	s := &segment{dir: dir, baseOffset: base, maxTimestamp: -1, offsetOfMaxTimestamp: base, rollingBasedTimestamp: -1}
	f, err := os.OpenFile(s.logPath(), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("storage: open segment %s: %w", s.logPath(), err)
	}
	s.log = f
	s.logRefs.Store(1)
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("storage: stat segment %s: %w", s.logPath(), err)
	}
	s.size = st.Size()
	s.created = st.ModTime()
	if s.oidx, err = openOffsetIndex(offsetFileName(dir, base, indexSuffix), base, cfg.SegmentIndexBytes); err != nil {
		f.Close()
		return nil, err
	}
	if s.tidx, err = openTimeIndex(offsetFileName(dir, base, timeIndexSuffix), base, cfg.SegmentIndexBytes); err != nil {
		f.Close()
		return nil, err
	}
	if s.txn, err = openTxnIndex(offsetFileName(dir, base, txnIndexSuffix)); err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

func (s *segment) resizeIndexes(maxBytes int32) error {
	s.oidx.maxEntries = int(maxBytes) / offsetIndexEntrySize
	s.tidx.maxEntries = int(maxBytes) / timeIndexEntrySize
	if err := s.oidx.resize(int64(maxBytes)); err != nil {
		return err
	}
	return s.tidx.resize(int64(maxBytes))
}

// batchInfo describes one batch of an append, offsets already assigned.
type batchInfo struct {
	baseOffset   int64
	lastOffset   int64
	maxTimestamp int64
	size         int32
}

// canHold reports whether offset can be stored relative to the base.
func (s *segment) canHold(offset int64) bool {
	d := offset - s.baseOffset
	return d >= 0 && d <= math.MaxInt32
}

// append writes data (the batches in infos, back to back) at the end of
// the segment and adds index entries every index.interval.bytes, keyed by
// each batch's last offset as Kafka does.
func (s *segment) append(data []byte, infos []batchInfo, indexInterval int32) error {
	if len(data) == 0 {
		return nil
	}
	pos := s.size
	if pos == 0 && len(infos) > 0 {
		s.rollingBasedTimestamp = infos[0].maxTimestamp
	}
	if _, err := s.log.WriteAt(data, pos); err != nil {
		return fmt.Errorf("storage: write segment %s: %w", s.logPath(), err)
	}
	for _, b := range infos {
		if err := s.indexBatch(b, pos, indexInterval); err != nil {
			return err
		}
		pos += int64(b.size)
	}
	s.size = pos
	return nil
}

func (s *segment) indexBatch(b batchInfo, pos int64, indexInterval int32) error {
	if b.maxTimestamp > s.maxTimestamp {
		s.maxTimestamp = b.maxTimestamp
		s.offsetOfMaxTimestamp = b.lastOffset
	}
	// A full index only makes lookups scan further; an append that fills
	// it mid-way must not fail after its bytes are written. The next
	// append rolls.
	if s.bytesSinceLastIndex > int64(indexInterval) && !s.oidx.isFull() && !s.tidx.isFull() {
		if err := s.oidx.append(b.lastOffset, int32(pos)); err != nil {
			return err
		}
		if err := s.tidx.maybeAppend(s.maxTimestamp, s.offsetOfMaxTimestamp, false); err != nil {
			return err
		}
		s.bytesSinceLastIndex = 0
	}
	s.bytesSinceLastIndex += int64(b.size)
	return nil
}

// readHeader reads the batch header at pos; io.EOF at the end of the data.
func (s *segment) readHeader(pos int64) (record.Header, error) {
	if pos >= s.size {
		return record.Header{}, io.EOF
	}
	var buf [record.HeaderSize]byte
	if s.size-pos < record.HeaderSize {
		return record.Header{}, fmt.Errorf("storage: segment %s has a partial header at %d", s.logPath(), pos)
	}
	if _, err := s.log.ReadAt(buf[:], pos); err != nil {
		return record.Header{}, fmt.Errorf("storage: read segment %s at %d: %w", s.logPath(), pos, err)
	}
	return record.ParseHeader(buf[:])
}

// findBatch returns the position and header of the first batch whose last
// offset is >= offset, starting the scan at the index's hint; io.EOF if none.
func (s *segment) findBatch(offset int64) (int64, record.Header, error) {
	_, p := s.oidx.lookup(offset)
	pos := int64(p)
	for {
		h, err := s.readHeader(pos)
		if err != nil {
			return 0, h, err
		}
		if h.LastOffset() >= offset {
			return pos, h, nil
		}
		pos += int64(h.Size())
	}
}

// nextOffset is the offset after the last batch, found by scanning from the
// last index entry.
func (s *segment) nextOffset() (int64, error) {
	_, p := s.oidx.lookup(math.MaxInt64)
	pos := int64(p)
	next := s.baseOffset
	for {
		h, err := s.readHeader(pos)
		if errors.Is(err, io.EOF) {
			return next, nil
		}
		if err != nil {
			return 0, err
		}
		next = h.LastOffset() + 1
		pos += int64(h.Size())
	}
}

// largestTimestamp is what retention.ms compares against: the max record
// timestamp, or the file's modification time when no batch has one.
func (s *segment) largestTimestamp() int64 {
	if s.maxTimestamp >= 0 {
		return s.maxTimestamp
	}
	if st, err := s.log.Stat(); err == nil {
		return st.ModTime().UnixMilli()
	}
	return 0
}

// timeWaitedForRoll is Kafka's measure for segment.ms: incoming message time
// minus the first batch's time, or wall time since creation if unknown.
func (s *segment) timeWaitedForRoll(nowMs, messageTs int64) int64 {
	if s.rollingBasedTimestamp >= 0 {
		return messageTs - s.rollingBasedTimestamp
	}
	return nowMs - s.created.UnixMilli()
}

// onBecomeInactive finishes a segment that is no longer active: the final
// time index entry, then indexes and (preallocated) log trimmed to size.
func (s *segment) onBecomeInactive() error {
	if s.maxTimestamp >= 0 {
		if err := s.tidx.maybeAppend(s.maxTimestamp, s.offsetOfMaxTimestamp, true); err != nil {
			return err
		}
	}
	if err := s.oidx.trimToValidSize(); err != nil {
		return err
	}
	if err := s.tidx.trimToValidSize(); err != nil {
		return err
	}
	return s.trimLog()
}

func (s *segment) trimLog() error {
	st, err := s.log.Stat()
	if err != nil {
		return fmt.Errorf("storage: stat segment %s: %w", s.logPath(), err)
	}
	if st.Size() != s.size {
		if err := s.log.Truncate(s.size); err != nil {
			return fmt.Errorf("storage: trim segment %s: %w", s.logPath(), err)
		}
	}
	s.preallocated = false
	return nil
}

// flush fsyncs the segment's files. It runs without the log lock so that
// appends go on during the fsyncs; only reading the in-memory index entries
// needs the read lock. Files of a segment closed or replaced meanwhile need
// nothing (os.ErrClosed, detached indexes).
func (s *segment) flush(mu *sync.RWMutex) error {
	mu.RLock()
	err := errors.Join(s.oidx.writeOut(), s.tidx.writeOut())
	txn := s.txn.f
	mu.RUnlock()
	errs := []error{err, ignoreClosed(s.log.Sync()), s.oidx.file.fsync(), s.tidx.file.fsync()}
	if txn != nil {
		errs = append(errs, ignoreClosed(txn.Sync()))
	}
	return errors.Join(errs...)
}

func ignoreClosed(err error) error {
	if errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}

// close trims the files like Kafka's LogSegment.close and closes them.
func (s *segment) close() error {
	var errs []error
	if s.maxTimestamp >= 0 {
		errs = append(errs, s.tidx.maybeAppend(s.maxTimestamp, s.offsetOfMaxTimestamp, true))
	}
	errs = append(errs, s.trimLog(), s.oidx.close(), s.tidx.close(), s.txn.close(), s.releaseLog())
	return errors.Join(errs...)
}

// closeFiles closes without trimming (the segment is going away); the
// indexes hold no descriptors and stop writing to their files.
func (s *segment) closeFiles() {
	s.oidx.file.detach()
	s.tidx.file.detach()
	s.txn.close()
	s.releaseLog()
}

// releaseLog drops the segment's own reference to its .log file; the file
// closes once no FileSlice holds it either.
func (s *segment) releaseLog() error {
	var err error
	s.ownerRelease.Do(func() { err = s.unrefLog() })
	return err
}

func (s *segment) unrefLog() error {
	if s.logRefs.Add(-1) == 0 {
		return s.log.Close()
	}
	return nil
}

// renameForDelete closes the segment and renames its files with the
// .deleted suffix; the caller removes them after file.delete.delay.ms.
func (s *segment) renameForDelete() ([]string, error) {
	s.closeFiles()
	var out []string
	var errs []error
	for _, suf := range []string{logSuffix, indexSuffix, timeIndexSuffix, txnIndexSuffix} {
		p := offsetFileName(s.dir, s.baseOffset, suf)
		if err := os.Rename(p, p+deletedSuffix); err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("storage: rename %s for deletion: %w", p, err))
			}
			continue
		}
		out = append(out, p+deletedSuffix)
	}
	return out, errors.Join(errs...)
}
