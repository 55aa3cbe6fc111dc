package runtime

import (
	"context"

	"github.com/odradek/odradek/internal/replication"
)

// loadBufferSize bounds one read while loading (offsets.load.buffer.size).
const defaultLoadBuffer = 5 << 20

// ReplicaLog adapts a hosted replication.Partition to PartitionLog.
type ReplicaLog struct {
	Part *replication.Partition
	// LoadBufferSize bounds each read while loading; 0 means 5 MiB.
	LoadBufferSize int32
}

// Append writes as leader with acks=-1 semantics checked at commit time.
func (l ReplicaLog) Append(batch []byte) (int64, error) {
	res, err := l.Part.AppendAsCoordinator(batch)
	if err != nil {
		return 0, err
	}
	return res.LastOffset + 1, nil
}

// WaitCommitted waits for the high watermark.
func (l ReplicaLog) WaitCommitted(ctx context.Context, end int64) error {
	return l.Part.WaitForHighWatermark(ctx, end)
}

// Read reads whole batches from offset below end.
func (l ReplicaLog) Read(offset, end int64) ([]byte, error) {
	max := l.LoadBufferSize
	if max <= 0 {
		max = defaultLoadBuffer
	}
	res, err := l.Part.Log().Read(offset, max, end, true)
	if err != nil {
		return nil, err
	}
	return res.Records, nil
}

// Bounds are the log start and end offsets.
func (l ReplicaLog) Bounds() (int64, int64) {
	lg := l.Part.Log()
	return lg.LogStartOffset(), lg.LogEndOffset()
}

// LeaderEpoch is the partition's current leader epoch.
func (l ReplicaLog) LeaderEpoch() int32 {
	_, e := l.Part.Leadership()
	return e
}
