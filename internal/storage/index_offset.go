package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

const offsetIndexEntrySize = 8

// offsetIndex is a segment's sparse .index file: entries of (offset relative
// to the segment base int32, byte position in the .log int32). Entries are
// kept in memory and reach the file through indexFile (no descriptor kept
// open) when the segment flushes, rolls, truncates or closes. While the
// segment is active the file is preallocated to segment.index.bytes, as
// Kafka's mmap'd index is; it is trimmed to its entries when the segment
// rolls or closes.
type offsetIndex struct {
	path       string
	file       *indexFile
	baseOffset int64
	maxEntries int
	buf        []byte // valid entries, encoded
	// padded: the file held zeros after the entries, i.e. it was left
	// preallocated by a crash; like Kafka we rebuild such an index.
	padded bool
}

func openOffsetIndex(path string, baseOffset int64, maxBytes int32) (*offsetIndex, error) {
	file, data, padded, err := openIndexFile(path, offsetIndexEntrySize)
	if err != nil {
		return nil, fmt.Errorf("storage: open offset index %s: %w", path, err)
	}
	return &offsetIndex{path: path, file: file, baseOffset: baseOffset, maxEntries: int(maxBytes) / offsetIndexEntrySize, buf: data, padded: padded}, nil
}

func (x *offsetIndex) entries() int { return len(x.buf) / offsetIndexEntrySize }

func (x *offsetIndex) isFull() bool { return x.entries() >= x.maxEntries }

func (x *offsetIndex) entry(i int) (rel int32, pos int32) {
	e := x.buf[i*offsetIndexEntrySize:]
	return int32(binary.BigEndian.Uint32(e)), int32(binary.BigEndian.Uint32(e[4:]))
}

func (x *offsetIndex) lastOffset() int64 {
	if n := x.entries(); n > 0 {
		rel, _ := x.entry(n - 1)
		return x.baseOffset + int64(rel)
	}
	return x.baseOffset
}

// sanityCheck rejects an index whose entries are not strictly increasing in
// offset, not non-decreasing in position, or point past the log; such an
// index (e.g. preallocated zeros after a crash) is rebuilt from the log.
func (x *offsetIndex) sanityCheck(logSize int64) error {
	if x.padded {
		return fmt.Errorf("storage: offset index %s was not trimmed (unclean shutdown)", x.path)
	}
	prevRel, prevPos := int32(-1), int32(-1)
	for i := 0; i < x.entries(); i++ {
		rel, pos := x.entry(i)
		if rel <= prevRel || pos < prevPos || int64(pos) >= logSize || rel < 0 {
			return fmt.Errorf("storage: corrupt offset index %s: entry %d (%d, %d) after (%d, %d), log size %d", x.path, i, rel, pos, prevRel, prevPos, logSize)
		}
		prevRel, prevPos = rel, pos
	}
	return nil
}

// append adds an entry for offset at pos; offsets must grow.
func (x *offsetIndex) append(offset int64, pos int32) error {
	if x.isFull() {
		return fmt.Errorf("storage: offset index %s is full", x.path)
	}
	if x.entries() > 0 && offset <= x.lastOffset() {
		return nil
	}
	var e [offsetIndexEntrySize]byte
	binary.BigEndian.PutUint32(e[:], uint32(offset-x.baseOffset))
	binary.BigEndian.PutUint32(e[4:], uint32(pos))
	x.buf = append(x.buf, e[:]...)
	return nil
}

// lookup returns the largest indexed offset <= target and its position, or
// (baseOffset, 0) when there is none.
func (x *offsetIndex) lookup(target int64) (int64, int32) {
	n := x.entries()
	i := sort.Search(n, func(i int) bool {
		rel, _ := x.entry(i)
		return x.baseOffset+int64(rel) > target
	})
	if i == 0 {
		return x.baseOffset, 0
	}
	rel, pos := x.entry(i - 1)
	return x.baseOffset + int64(rel), pos
}

// truncateTo drops entries for offsets >= offset.
func (x *offsetIndex) truncateTo(offset int64) error {
	n := x.entries()
	i := sort.Search(n, func(i int) bool {
		rel, _ := x.entry(i)
		return x.baseOffset+int64(rel) >= offset
	})
	return x.truncateEntries(i)
}

func (x *offsetIndex) truncateEntries(n int) error {
	x.buf = x.buf[:n*offsetIndexEntrySize]
	// Zero the dropped range so a preallocated file never shows stale
	// entries after a crash.
	return x.resize(x.fileSize())
}

func (x *offsetIndex) fileSize() int64 {
	x.file.mu.Lock()
	defer x.file.mu.Unlock()
	return x.file.size
}

// resize sets the file length to size (never below the valid entries) and
// zeroes everything past the entries.
func (x *offsetIndex) resize(size int64) error { return x.file.store(x.buf, size, false) }

func (x *offsetIndex) trimToValidSize() error { return x.resize(int64(len(x.buf))) }

func (x *offsetIndex) reset() error {
	x.buf = x.buf[:0]
	x.padded = false
	return x.resize(x.fileSize())
}

func (x *offsetIndex) sync() error { return x.file.store(x.buf, -1, true) }

// writeOut puts the entries not yet in the file there, without fsync.
func (x *offsetIndex) writeOut() error { return x.file.store(x.buf, -1, false) }

func (x *offsetIndex) close() error { return x.trimToValidSize() }

// readIndexEntries reads whole entries from an index file, stopping at the
// first all-zero entry: that is where the preallocated space of an index
// left unclosed by a crash begins (no real entry is all zeros: the first
// batch of a segment is never indexed). Entries are hints, so ignoring
// anything after such a gap is safe.
func readIndexEntries(f *os.File, entrySize int) (entries []byte, padded bool, err error) {
	var out []byte
	chunk := make([]byte, 64<<10/entrySize*entrySize)
	var off int64
	for {
		n, err := f.ReadAt(chunk, off)
		n = n / entrySize * entrySize
		for i := 0; i < n; i += entrySize {
			if isZero(chunk[i : i+entrySize]) {
				return append(out, chunk[:i]...), true, nil
			}
		}
		out = append(out, chunk[:n]...)
		off += int64(n)
		if errors.Is(err, io.EOF) || n < len(chunk) {
			return out, false, nil
		}
		if err != nil {
			return nil, false, err
		}
	}
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
