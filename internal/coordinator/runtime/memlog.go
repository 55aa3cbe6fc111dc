package runtime

import (
	"context"
	"sync"

	"github.com/odradek/odradek/internal/record"
)

// MemLog is an in-memory PartitionLog whose appends commit at once. It
// lets coordinator state machines be tested, and reloaded, without a broker.
type MemLog struct {
	mu      sync.Mutex
	batches [][]byte
	next    int64
	// FailAppends makes Append fail with this error when set.
	FailAppends error
}

// Append assigns offsets and keeps the batch.
func (m *MemLog) Append(batch []byte) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.FailAppends != nil {
		return 0, m.FailAppends
	}
	b := append([]byte(nil), batch...)
	h, err := record.ParseHeader(b)
	if err != nil {
		return 0, err
	}
	record.SetBaseOffset(b, m.next)
	m.next += int64(h.LastOffsetDelta) + 1
	m.batches = append(m.batches, b)
	return m.next, nil
}

// WaitCommitted returns at once: everything appended is committed.
func (m *MemLog) WaitCommitted(context.Context, int64) error { return nil }

// Read returns every batch holding offsets in [offset, end).
func (m *MemLog) Read(offset, end int64) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []byte
	for _, b := range m.batches {
		h, _ := record.ParseHeader(b)
		if h.LastOffset() >= offset && h.BaseOffset < end {
			out = append(out, b...)
		}
	}
	return out, nil
}

// Bounds are 0 and the next offset.
func (m *MemLog) Bounds() (int64, int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return 0, m.next
}

// LeaderEpoch is always 0.
func (m *MemLog) LeaderEpoch() int32 { return 0 }

// Records returns every record written so far, in order.
func (m *MemLog) Records() []Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Record
	for _, b := range m.batches {
		h, _ := record.ParseHeader(b)
		rs, err := record.Records(&h, b)
		if err != nil {
			continue
		}
		for _, r := range rs {
			out = append(out, Record{Key: r.Key, Value: r.Value})
		}
	}
	return out
}
