package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/odradek/odradek/internal/record"
)

// Producer snapshot files, <20-digit offset>.snapshot, in Kafka's format:
//
//	version int16 (1) | crc uint32 (CRC-32C of everything after it) |
//	entries: int32 count, then per producer:
//	  producerId int64 | epoch int16 | lastSequence int32 | lastOffset int64 |
//	  offsetDelta int32 | timestamp int64 | coordinatorEpoch int32 |
//	  currentTxnFirstOffset int64
//
// Only each producer's latest batch is kept, as in Kafka.
const (
	producerSnapshotVersion   = 1
	producerSnapshotEntrySize = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8
	producerSnapshotHeader    = 2 + 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func encodeProducerSnapshot(producers map[int64]*producerEntry) []byte {
	// Every producer is written, also one with no batch of its current
	// epoch (lastSequence and lastOffset -1), as Kafka does.
	pids := make([]int64, 0, len(producers))
	for pid := range producers {
		pids = append(pids, pid)
	}
	sort.Slice(pids, func(i, j int) bool { return pids[i] < pids[j] })
	b := make([]byte, producerSnapshotHeader, producerSnapshotHeader+4+len(pids)*producerSnapshotEntrySize)
	binary.BigEndian.PutUint16(b, producerSnapshotVersion)
	b = binary.BigEndian.AppendUint32(b, uint32(len(pids)))
	for _, pid := range pids {
		e := producers[pid]
		lastSeq, lastOffset, offsetDelta := int32(record.NoSequence), int64(-1), int32(0)
		if n := len(e.batches); n > 0 {
			last := e.batches[n-1]
			lastSeq, lastOffset = last.lastSeq, last.lastOffset
			offsetDelta = int32(last.lastOffset - last.firstOffset)
		}
		b = binary.BigEndian.AppendUint64(b, uint64(pid))
		b = binary.BigEndian.AppendUint16(b, uint16(e.epoch))
		b = binary.BigEndian.AppendUint32(b, uint32(lastSeq))
		b = binary.BigEndian.AppendUint64(b, uint64(lastOffset))
		b = binary.BigEndian.AppendUint32(b, uint32(offsetDelta))
		b = binary.BigEndian.AppendUint64(b, uint64(e.lastTimestamp))
		b = binary.BigEndian.AppendUint32(b, uint32(e.coordinatorEpoch))
		b = binary.BigEndian.AppendUint64(b, uint64(e.currentTxnFirstOffset))
	}
	binary.BigEndian.PutUint32(b[2:], crc32.Checksum(b[producerSnapshotHeader:], castagnoli))
	return b
}

func decodeProducerSnapshot(b []byte) (map[int64]*producerEntry, error) {
	if len(b) < producerSnapshotHeader+4 {
		return nil, fmt.Errorf("snapshot of %d bytes is truncated", len(b))
	}
	if v := binary.BigEndian.Uint16(b); v != producerSnapshotVersion {
		return nil, fmt.Errorf("snapshot version %d is not %d", v, producerSnapshotVersion)
	}
	if want, got := binary.BigEndian.Uint32(b[2:]), crc32.Checksum(b[producerSnapshotHeader:], castagnoli); want != got {
		return nil, fmt.Errorf("snapshot CRC %#08x does not match computed %#08x", want, got)
	}
	n := int(int32(binary.BigEndian.Uint32(b[producerSnapshotHeader:])))
	body := b[producerSnapshotHeader+4:]
	if n < 0 || n*producerSnapshotEntrySize != len(body) {
		return nil, fmt.Errorf("snapshot declares %d entries in %d bytes", n, len(body))
	}
	out := make(map[int64]*producerEntry, n)
	for i := 0; i < n; i++ {
		e := body[i*producerSnapshotEntrySize:]
		pid := int64(binary.BigEndian.Uint64(e))
		epoch := int16(binary.BigEndian.Uint16(e[8:]))
		lastSeq := int32(binary.BigEndian.Uint32(e[10:]))
		lastOffset := int64(binary.BigEndian.Uint64(e[14:]))
		delta := int32(binary.BigEndian.Uint32(e[22:]))
		ts := int64(binary.BigEndian.Uint64(e[26:]))
		pe := &producerEntry{
			producerID:            pid,
			epoch:                 epoch,
			lastTimestamp:         ts,
			coordinatorEpoch:      int32(binary.BigEndian.Uint32(e[34:])),
			currentTxnFirstOffset: int64(binary.BigEndian.Uint64(e[38:])),
		}
		if lastOffset >= 0 {
			firstSeq := lastSeq
			if lastSeq != record.NoSequence {
				firstSeq = decrementSequence(lastSeq, delta)
			}
			pe.batches = []batchMetadata{{firstSeq: firstSeq, lastSeq: lastSeq, firstOffset: lastOffset - int64(delta), lastOffset: lastOffset, timestamp: ts}}
		}
		out[pid] = pe
	}
	return out, nil
}

func decrementSequence(seq, dec int32) int32 {
	if seq < dec {
		return 1<<31 - 1 - (dec - seq) + 1
	}
	return seq - dec
}

// listSnapshots returns the offsets of dir's producer snapshots, ascending.
func listSnapshots(dir string) ([]int64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("storage: list %s: %w", dir, err)
	}
	var out []int64
	for _, e := range ents {
		name := e.Name()
		if !strings.HasSuffix(name, snapshotSuffix) {
			continue
		}
		off, err := strconv.ParseInt(strings.TrimSuffix(name, snapshotSuffix), 10, 64)
		if err != nil {
			continue
		}
		out = append(out, off)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

func writeProducerSnapshot(dir string, offset int64, producers map[int64]*producerEntry) error {
	return writeFileAtomic(offsetFileName(dir, offset, snapshotSuffix), encodeProducerSnapshot(producers))
}

// loadLatestSnapshot loads the newest valid snapshot at or below maxOffset,
// deleting snapshots above it and any that fail to decode.
func loadLatestSnapshot(dir string, maxOffset int64) (map[int64]*producerEntry, int64, bool, error) {
	offs, err := listSnapshots(dir)
	if err != nil {
		return nil, 0, false, err
	}
	for i := len(offs) - 1; i >= 0; i-- {
		path := offsetFileName(dir, offs[i], snapshotSuffix)
		if offs[i] > maxOffset {
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, 0, false, fmt.Errorf("storage: remove snapshot %s: %w", path, err)
			}
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, 0, false, fmt.Errorf("storage: read snapshot %s: %w", path, err)
		}
		m, err := decodeProducerSnapshot(data)
		if err != nil {
			// A bad snapshot is dropped and an older one (or the log)
			// rebuilds the state, as Kafka does.
			os.Remove(path)
			continue
		}
		return m, offs[i], true, nil
	}
	return nil, 0, false, nil
}

// deleteSnapshotsBelow removes snapshots with offsets < offset.
func deleteSnapshotsBelow(dir string, offset int64) error {
	offs, err := listSnapshots(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, o := range offs {
		if o < offset {
			if err := os.Remove(offsetFileName(dir, o, snapshotSuffix)); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("storage: remove snapshot: %w", err))
			}
		}
	}
	return errors.Join(errs...)
}

// deleteSnapshotsFrom removes snapshots with offsets >= offset (truncation).
func deleteSnapshotsFrom(dir string, offset int64) error {
	offs, err := listSnapshots(dir)
	if err != nil {
		return err
	}
	for _, o := range offs {
		if o >= offset {
			if err := os.Remove(filepath.Clean(offsetFileName(dir, o, snapshotSuffix))); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("storage: remove snapshot: %w", err)
			}
		}
	}
	return nil
}
