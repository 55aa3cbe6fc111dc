package runtime

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/record"
)

// buildBatch encodes records as one uncompressed, non-transactional v2
// batch; the log assigns offsets.
func buildBatch(recs []Record, epoch int32, nowMs int64) ([]byte, error) {
	krs := make([]kmsg.Record, len(recs))
	for i, r := range recs {
		krs[i] = kmsg.Record{OffsetDelta: int32(i), Key: r.Key, Value: r.Value}
	}
	h := record.Header{
		PartitionLeaderEpoch: epoch,
		LastOffsetDelta:      int32(len(recs) - 1),
		BaseTimestamp:        nowMs,
		MaxTimestamp:         nowMs,
		ProducerID:           record.NoProducerID,
		ProducerEpoch:        -1,
		BaseSequence:         -1,
	}
	b, err := record.Build(h, krs, record.Codec(0))
	if err != nil {
		return nil, fmt.Errorf("encoding coordinator records: %w", err)
	}
	return b, nil
}

// replayLog feeds every data record in [start, end) to shard. Control
// batches (transaction markers) carry no coordinator state and are skipped.
func replayLog(log PartitionLog, shard Shard, start, end int64) (int, error) {
	n := 0
	for off := start; off < end; {
		data, err := log.Read(off, end)
		if err != nil {
			return n, fmt.Errorf("reading at offset %d: %w", off, err)
		}
		if len(data) == 0 {
			break
		}
		for len(data) > 0 {
			b, rest, err := record.NextBatch(data)
			if err != nil {
				return n, fmt.Errorf("batch at offset %d: %w", off, err)
			}
			data = rest
			h, err := record.ParseHeader(b)
			if err != nil {
				return n, fmt.Errorf("batch header at offset %d: %w", off, err)
			}
			if h.LastOffset() < off {
				continue
			}
			if !h.IsControl() {
				err = record.ForEachRecord(&h, b, func(_ int, r *kmsg.Record) error {
					o := h.BaseOffset + int64(r.OffsetDelta)
					if o < off {
						return nil
					}
					n++
					return shard.Replay(o, r.Key, r.Value)
				})
				if err != nil {
					return n, fmt.Errorf("replaying batch at offset %d: %w", h.BaseOffset, err)
				}
			}
			off = h.LastOffset() + 1
		}
	}
	return n, nil
}
