package storage

import (
	"encoding/binary"
	"fmt"
	"sort"
)

const timeIndexEntrySize = 12

// timeIndex is a segment's sparse .timeindex: entries of (timestamp int64,
// offset relative to the segment base int32), both non-decreasing. An entry
// is added only when the segment's max timestamp grows.
type timeIndex struct {
	path       string
	file       *indexFile // see offsetIndex
	baseOffset int64
	maxEntries int
	buf        []byte
	padded     bool // see offsetIndex.padded
}

func openTimeIndex(path string, baseOffset int64, maxBytes int32) (*timeIndex, error) {
	file, data, padded, err := openIndexFile(path, timeIndexEntrySize)
	if err != nil {
		return nil, fmt.Errorf("storage: open time index %s: %w", path, err)
	}
	return &timeIndex{path: path, file: file, baseOffset: baseOffset, maxEntries: int(maxBytes) / timeIndexEntrySize, buf: data, padded: padded}, nil
}

func (x *timeIndex) entries() int { return len(x.buf) / timeIndexEntrySize }

// isFull keeps one slot free for the entry written when the segment rolls,
// as Kafka's TimeIndex does.
func (x *timeIndex) isFull() bool { return x.entries() >= x.maxEntries-1 }

func (x *timeIndex) entry(i int) (ts int64, rel int32) {
	e := x.buf[i*timeIndexEntrySize:]
	return int64(binary.BigEndian.Uint64(e)), int32(binary.BigEndian.Uint32(e[8:]))
}

// lastEntry is (-1, baseOffset) for an empty index.
func (x *timeIndex) lastEntry() (int64, int64) {
	if n := x.entries(); n > 0 {
		ts, rel := x.entry(n - 1)
		return ts, x.baseOffset + int64(rel)
	}
	return -1, x.baseOffset
}

func (x *timeIndex) sanityCheck(maxOffset int64) error {
	if x.padded {
		return fmt.Errorf("storage: time index %s was not trimmed (unclean shutdown)", x.path)
	}
	prevTs, prevRel := int64(-1<<63), int32(-1)
	for i := 0; i < x.entries(); i++ {
		ts, rel := x.entry(i)
		if ts < prevTs || rel < prevRel || rel < 0 || x.baseOffset+int64(rel) > maxOffset {
			return fmt.Errorf("storage: corrupt time index %s: entry %d (%d, %d) after (%d, %d)", x.path, i, ts, rel, prevTs, prevRel)
		}
		prevTs, prevRel = ts, rel
	}
	return nil
}

// maybeAppend adds (ts, offset) if ts is larger than the last entry's.
// skipFullCheck is for the final entry written on roll, which uses the slot
// isFull kept free.
func (x *timeIndex) maybeAppend(ts, offset int64, skipFullCheck bool) error {
	if !skipFullCheck && x.isFull() {
		return fmt.Errorf("storage: time index %s is full", x.path)
	}
	if x.entries() >= x.maxEntries {
		return nil
	}
	lastTs, lastOff := x.lastEntry()
	if ts <= lastTs || offset < lastOff {
		return nil
	}
	var e [timeIndexEntrySize]byte
	binary.BigEndian.PutUint64(e[:], uint64(ts))
	binary.BigEndian.PutUint32(e[8:], uint32(offset-x.baseOffset))
	x.buf = append(x.buf, e[:]...)
	return nil
}

// lookup returns the entry with the largest timestamp <= target, or
// (-1, baseOffset) when none.
func (x *timeIndex) lookup(target int64) (int64, int64) {
	n := x.entries()
	i := sort.Search(n, func(i int) bool {
		ts, _ := x.entry(i)
		return ts > target
	})
	if i == 0 {
		return -1, x.baseOffset
	}
	ts, rel := x.entry(i - 1)
	return ts, x.baseOffset + int64(rel)
}

// truncateTo drops entries for offsets >= offset.
func (x *timeIndex) truncateTo(offset int64) error {
	n := x.entries()
	i := sort.Search(n, func(i int) bool {
		_, rel := x.entry(i)
		return x.baseOffset+int64(rel) >= offset
	})
	x.buf = x.buf[:i*timeIndexEntrySize]
	return x.resize(x.fileSize())
}

func (x *timeIndex) fileSize() int64 {
	x.file.mu.Lock()
	defer x.file.mu.Unlock()
	return x.file.size
}

func (x *timeIndex) resize(size int64) error { return x.file.store(x.buf, size, false) }

func (x *timeIndex) trimToValidSize() error { return x.resize(int64(len(x.buf))) }

func (x *timeIndex) reset() error {
	x.buf = x.buf[:0]
	x.padded = false
	return x.resize(x.fileSize())
}

func (x *timeIndex) sync() error { return x.file.store(x.buf, -1, true) }

// writeOut puts the entries not yet in the file there, without fsync.
func (x *timeIndex) writeOut() error { return x.file.store(x.buf, -1, false) }

func (x *timeIndex) close() error { return x.trimToValidSize() }
