package storage

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/twmb/franz-go/pkg/kerr"
)

// FileSlice is a byte range of a segment file holding whole batches, for
// sending without copying them through user space. The file stays open
// until Release, even if retention, the cleaner or a deletion removes the
// segment meanwhile; only a follower truncation of the active segment can
// shorten it, and then WriteTo reports io.ErrUnexpectedEOF.
type FileSlice struct {
	File     *os.File
	Position int64
	Size     int64
	// LastOffset is the last offset of the last batch in the range.
	LastOffset int64
	release    func()
}

// Release lets the segment file close; call it exactly once per slice
// returned with a non-nil File.
func (s *FileSlice) Release() {
	if s.release != nil {
		s.release()
		s.release = nil
	}
}

// Len is the number of bytes WriteTo writes.
func (s *FileSlice) Len() int64 { return s.Size }

// WriteTo writes the range to w, with sendfile(2) when w is a plain TCP
// connection (using an explicit file offset, so concurrent slices of one
// file do not interfere) and by reading and copying otherwise (TLS).
func (s *FileSlice) WriteTo(w io.Writer) (int64, error) {
	if s.File == nil || s.Size == 0 {
		return 0, nil
	}
	if n, handled, err := sendFile(w, s); handled {
		return n, err
	}
	n, err := io.Copy(w, io.NewSectionReader(s.File, s.Position, s.Size))
	if err == nil && n < s.Size {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// ReadSlice is Read without the copy: it picks the same whole batches
// (same rules for offset, maxBytes, maxOffset and minOneMessage) and returns
// them as a FileSlice. res.Records is nil; the slice is empty (File nil)
// when there is nothing to send.
func (l *Log) ReadSlice(offset int64, maxBytes int32, maxOffset int64, minOneMessage bool) (FileSlice, ReadResult, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	res := ReadResult{HighWatermark: l.hw.Load(), LogStartOffset: l.logStart.Load(), LogEndOffset: l.logEnd.Load()}
	if l.closed {
		return FileSlice{}, res, fmt.Errorf("storage: read %s: log is closed: %w", l.tp, kerr.NotLeaderForPartition)
	}
	if err := l.checkOnline(); err != nil {
		return FileSlice{}, res, err
	}
	if offset < res.LogStartOffset || offset > res.LogEndOffset {
		return FileSlice{}, res, fmt.Errorf("storage: read %s at offset %d outside [%d, %d]: %w", l.tp, offset, res.LogStartOffset, res.LogEndOffset, kerr.OffsetOutOfRange)
	}
	if offset == res.LogEndOffset || offset >= maxOffset {
		return FileSlice{}, res, nil
	}
	for i := l.segmentFor(offset); i < len(l.segments); i++ {
		s := l.segments[i]
		start, end, last, found, err := s.sliceRange(offset, maxBytes, maxOffset, minOneMessage)
		if err != nil {
			l.ioError(err)
			return FileSlice{}, res, fmt.Errorf("storage: read %s: %v: %w", l.tp, err, kerr.KafkaStorageError)
		}
		if !found {
			continue
		}
		if end == start {
			return FileSlice{}, res, nil
		}
		s.logRefs.Add(1)
		var once sync.Once
		return FileSlice{File: s.log, Position: start, Size: end - start, LastOffset: last, release: func() {
			once.Do(func() { s.unrefLog() })
		}}, res, nil
	}
	return FileSlice{}, res, nil
}

// sliceRange walks batch headers to find the byte range read would return
// and the last offset in it.
func (s *segment) sliceRange(offset int64, maxBytes int32, maxOffset int64, minOneMessage bool) (start, end, last int64, found bool, err error) {
	start, h, err := s.findBatch(offset)
	if errors.Is(err, io.EOF) {
		return 0, 0, -1, false, nil
	}
	if err != nil {
		return 0, 0, -1, false, err
	}
	end, last = start, -1
	for {
		if h.LastOffset() >= maxOffset {
			break
		}
		size := int64(h.Size())
		if end+size > s.size {
			break
		}
		if end+size-start > int64(maxBytes) && !(end == start && minOneMessage) {
			break
		}
		end += size
		last = h.LastOffset()
		if end >= s.size {
			break
		}
		if h, err = s.readHeader(end); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return 0, 0, -1, false, err
		}
	}
	return start, end, last, true, nil
}
