package storage

import (
	"errors"
	"fmt"
	"os"
	"sync"
)

// indexFile is the on-disk side of an offset or time index whose entries
// live in memory. It holds no file descriptor between operations: a broker
// with thousands of partitions would otherwise need three descriptors per
// active segment (log and two indexes) where Kafka, which mmaps its indexes
// and closes them, needs one. Entries reach the file when the segment is
// flushed, rolled, truncated or closed; an index is only a hint, and an
// active segment's file stays preallocated until it is trimmed, so a crash
// before that makes recovery rebuild it from the log exactly as before.
//
// Flushes run outside the log lock (appends go on meanwhile): they write
// the entries under the log's read lock and fsync after releasing it, so mu
// orders concurrent flushers and the fields below.
type indexFile struct {
	mu        sync.Mutex
	path      string
	entrySize int
	size      int64 // length of the file
	written   int   // leading bytes of the entries that are in the file
	// detached: the file was renamed or removed with its segment (deleted,
	// or replaced by the cleaner); nothing is written to it any more.
	detached bool
}

// openIndexFile creates the file if needed and reads its entries; padded
// reports zeros after the entries (a preallocated file a crash left
// untrimmed).
func openIndexFile(path string, entrySize int) (*indexFile, []byte, bool, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, nil, false, err
	}
	defer f.Close()
	data, padded, err := readIndexEntries(f, entrySize)
	if err != nil {
		return nil, nil, false, err
	}
	st, err := f.Stat()
	if err != nil {
		return nil, nil, false, err
	}
	return &indexFile{path: path, entrySize: entrySize, size: st.Size(), written: len(data)}, data, padded, nil
}

// detach stops all writes to the file: it is being renamed or removed
// with its segment.
func (x *indexFile) detach() {
	x.mu.Lock()
	x.detached = true
	x.mu.Unlock()
}

// fsync makes what store wrote durable. A file detached meanwhile (its
// segment was deleted or replaced by the cleaner) needs nothing.
func (x *indexFile) fsync() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.detached {
		return nil
	}
	f, err := os.OpenFile(x.path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("storage: open index %s: %w", x.path, err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil && !errors.Is(cerr, os.ErrClosed) {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("storage: sync index %s: %w", x.path, err)
	}
	return nil
}

// store makes the file hold entries followed by zeros up to size (whole
// entries, never less than the entries; -1 keeps the current size), and
// fsyncs it when sync is set.
// Dropped entries are cut from the file before anything is extended, so a
// stale entry never survives past a truncation.
func (x *indexFile) store(entries []byte, size int64, sync bool) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if size < 0 {
		size = x.size
	}
	size = max(size, int64(len(entries)))
	size = size / int64(x.entrySize) * int64(x.entrySize)
	if x.detached || (x.written == len(entries) && x.size == size && !sync) {
		return nil
	}
	f, err := os.OpenFile(x.path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("storage: open index %s: %w", x.path, err)
	}
	defer f.Close()
	if x.written > len(entries) || size < x.size {
		if err := f.Truncate(int64(len(entries))); err != nil {
			return fmt.Errorf("storage: truncate index %s: %w", x.path, err)
		}
		x.size, x.written = int64(len(entries)), min(x.written, len(entries))
	}
	if x.written < len(entries) {
		if _, err := f.WriteAt(entries[x.written:], int64(x.written)); err != nil {
			return fmt.Errorf("storage: write index %s: %w", x.path, err)
		}
		x.written = len(entries)
		x.size = max(x.size, int64(len(entries)))
	}
	if x.size != size {
		if err := f.Truncate(size); err != nil {
			return fmt.Errorf("storage: resize index %s: %w", x.path, err)
		}
		x.size = size
	}
	if sync {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("storage: sync index %s: %w", x.path, err)
		}
	}
	return nil
}
