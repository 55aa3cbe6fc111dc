package storage

import (
	"fmt"

	"github.com/odradek/odradek/internal/record"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// RecordError names one bad record of a rejected append, as the Produce
// response's RecordErrors carry it.
type RecordError struct {
	BatchIndex int32 // index of the record within its batch
	Message    string
}

// batchError carries per-record errors out of validation.
type batchError struct {
	err     error
	records []RecordError
}

// validateClientBatch checks one batch from a producer the way Kafka's
// LogValidator does for magic 2, and returns the bytes to store: the batch
// itself, or a recompressed copy when compression.type names another codec.
// It also fixes maxTimestamp to the records' real maximum (CreateTime).
func validateClientBatch(batch []byte, h *record.Header, cfg *LogConfig, nowMs int64, client bool) ([]byte, *batchError) {
	if countFromOffsets := int64(h.LastOffsetDelta) + 1; h.RecordCount <= 0 || countFromOffsets != int64(h.RecordCount) {
		return nil, &batchError{err: fmt.Errorf("storage: batch lastOffsetDelta %d is inconsistent with record count %d: %w", h.LastOffsetDelta, h.RecordCount, kerr.InvalidRecord)}
	}
	if h.IsControl() && client {
		return nil, &batchError{err: fmt.Errorf("storage: clients may not write control batches: %w", kerr.InvalidRecord)}
	}
	if client && h.HasProducerID() && h.BaseSequence < 0 {
		return nil, &batchError{err: fmt.Errorf("storage: invalid sequence %d for producer %d: %w", h.BaseSequence, h.ProducerID, kerr.InvalidRecord)}
	}
	target, recompress := h.Codec(), false
	if cfg.CompressionType != "producer" {
		if c, ok := record.CodecByName(cfg.CompressionType); ok && c != h.Codec() {
			target, recompress = c, true
		}
	}
	createTime := !cfg.logAppendTime()
	var (
		recErrs   []RecordError
		tsErr     bool
		maxTs     int64 = record.NoTimestamp
		collected []kmsg.Record
	)
	err := record.ForEachRecord(h, batch, func(i int, r *kmsg.Record) error {
		if r.OffsetDelta != int32(i) {
			recErrs = append(recErrs, RecordError{int32(i), fmt.Sprintf("Inner record offset delta %d is not the expected %d", r.OffsetDelta, i)})
		}
		if cfg.compactPolicy() && r.Key == nil {
			recErrs = append(recErrs, RecordError{int32(i), "Compacted topic cannot accept message without key in topic partition"})
		}
		ts := h.BaseTimestamp + r.TimestampDelta64
		if createTime && ts != record.NoTimestamp {
			lo, hi := satSub(nowMs, cfg.MessageTimestampBeforeMaxMs), satAdd(nowMs, cfg.MessageTimestampAfterMaxMs)
			if ts < lo || ts > hi {
				tsErr = true
				recErrs = append(recErrs, RecordError{int32(i), fmt.Sprintf("Timestamp %d of message with offset %d is out of range. The timestamp should be within [%d, %d]", ts, i, lo, hi)})
			}
		}
		maxTs = max(maxTs, ts)
		if recompress {
			c := *r
			c.Headers = append([]kmsg.Header(nil), r.Headers...)
			collected = append(collected, c)
		}
		return nil
	})
	if err != nil {
		return nil, &batchError{err: err}
	}
	if len(recErrs) > 0 {
		code := kerr.InvalidRecord
		if tsErr {
			code = kerr.InvalidTimestamp
		}
		return nil, &batchError{err: fmt.Errorf("storage: %d invalid records, first: %s: %w", len(recErrs), recErrs[0].Message, code), records: recErrs}
	}
	if recompress {
		nh := *h
		nh.MaxTimestamp = maxTs
		out, err := record.Build(nh, collected, target)
		if err != nil {
			return nil, &batchError{err: fmt.Errorf("storage: recompress batch as %s: %v: %w", target, err, kerr.UnknownServerError)}
		}
		if len(out) > int(cfg.MaxMessageBytes) {
			return nil, &batchError{err: fmt.Errorf("storage: recompressed batch of %d bytes exceeds max.message.bytes %d: %w", len(out), cfg.MaxMessageBytes, kerr.MessageTooLarge)}
		}
		return out, nil
	}
	if createTime && h.MaxTimestamp != maxTs {
		record.SetMaxTimestamp(batch, maxTs)
	}
	return batch, nil
}

func satSub(a, b int64) int64 {
	if b > 0 && a < -1<<63+b {
		return -1 << 63
	}
	return a - b
}

func satAdd(a, b int64) int64 {
	if b > 0 && a > 1<<63-1-b {
		return 1<<63 - 1
	}
	return a + b
}
