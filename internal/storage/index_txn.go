package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// txnIndexEntrySize: version int16 (0), producerId int64, firstOffset int64,
// lastOffset int64, lastStableOffset int64.
const txnIndexEntrySize = 2 + 8 + 8 + 8 + 8

// AbortedTxn is one aborted transaction as the .txnindex records it.
type AbortedTxn struct {
	ProducerID       int64
	FirstOffset      int64
	LastOffset       int64 // offset of the abort marker
	LastStableOffset int64 // LSO right after the abort completed
}

// txnIndex is a segment's .txnindex: the aborted transactions whose abort
// marker is in the segment. Like Kafka it is created only when the first
// entry is written, so most segments have no such file.
type txnIndex struct {
	path    string
	f       *os.File
	entries []AbortedTxn
}

func openTxnIndex(path string) (*txnIndex, error) {
	x := &txnIndex{path: path}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return x, nil
	}
	if err != nil {
		return nil, fmt.Errorf("storage: read transaction index %s: %w", path, err)
	}
	for len(data) >= txnIndexEntrySize {
		if v := binary.BigEndian.Uint16(data); v != 0 {
			return nil, fmt.Errorf("storage: transaction index %s has entry version %d", path, v)
		}
		x.entries = append(x.entries, AbortedTxn{
			ProducerID:       int64(binary.BigEndian.Uint64(data[2:])),
			FirstOffset:      int64(binary.BigEndian.Uint64(data[10:])),
			LastOffset:       int64(binary.BigEndian.Uint64(data[18:])),
			LastStableOffset: int64(binary.BigEndian.Uint64(data[26:])),
		})
		data = data[txnIndexEntrySize:]
	}
	return x, nil
}

func (x *txnIndex) has(lastOffset int64) bool {
	for _, e := range x.entries {
		if e.LastOffset == lastOffset {
			return true
		}
	}
	return false
}

func (x *txnIndex) append(e AbortedTxn) error {
	if n := len(x.entries); n > 0 && e.LastOffset <= x.entries[n-1].LastOffset {
		return nil // already indexed (replay after recovery)
	}
	if x.f == nil {
		f, err := os.OpenFile(x.path, os.O_CREATE|os.O_RDWR, 0o644)
		if err != nil {
			return fmt.Errorf("storage: create transaction index %s: %w", x.path, err)
		}
		x.f = f
	}
	var b [txnIndexEntrySize]byte
	binary.BigEndian.PutUint64(b[2:], uint64(e.ProducerID))
	binary.BigEndian.PutUint64(b[10:], uint64(e.FirstOffset))
	binary.BigEndian.PutUint64(b[18:], uint64(e.LastOffset))
	binary.BigEndian.PutUint64(b[26:], uint64(e.LastStableOffset))
	if _, err := x.f.WriteAt(b[:], int64(len(x.entries))*txnIndexEntrySize); err != nil {
		return fmt.Errorf("storage: write transaction index %s: %w", x.path, err)
	}
	x.entries = append(x.entries, e)
	return nil
}

// truncateTo drops entries whose marker is at or after offset.
func (x *txnIndex) truncateTo(offset int64) error {
	n := 0
	for n < len(x.entries) && x.entries[n].LastOffset < offset {
		n++
	}
	if n == len(x.entries) {
		return nil
	}
	x.entries = x.entries[:n]
	if x.f == nil {
		if err := os.Truncate(x.path, int64(n)*txnIndexEntrySize); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("storage: truncate transaction index %s: %w", x.path, err)
		}
		return nil
	}
	if err := x.f.Truncate(int64(n) * txnIndexEntrySize); err != nil {
		return fmt.Errorf("storage: truncate transaction index %s: %w", x.path, err)
	}
	return nil
}

func (x *txnIndex) sync() error {
	if x.f == nil {
		return nil
	}
	return x.f.Sync()
}

func (x *txnIndex) close() error {
	if x.f == nil {
		return nil
	}
	err := x.f.Close()
	x.f = nil
	return err
}

// collect appends the entries overlapping [start, upper) to out and reports
// whether the search can stop: an entry whose LSO is at or past upper means
// later segments cannot hold relevant aborts.
func (x *txnIndex) collect(out []AbortedTxn, start, upper int64) ([]AbortedTxn, bool) {
	for _, e := range x.entries {
		if e.LastOffset >= start && e.FirstOffset < upper {
			out = append(out, e)
		}
		if e.LastStableOffset >= upper {
			return out, true
		}
	}
	return out, false
}
