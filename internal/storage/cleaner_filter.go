package storage

import (
	"math"

	"github.com/odradek/odradek/internal/record"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// producerLast is what the cleaner must know of a producer to keep its
// state rebuildable from the log: its last data batch survives, emptied if
// need be, so its sequence and epoch are not lost.
type producerLast struct {
	lastOffset int64 // last offset of its last data batch, -1 if none
	epoch      int16
}

// cleanFilter decides, batch by batch, what a cleaning pass keeps.
type cleanFilter struct {
	offsets           *offsetMap
	txns              *cleanerTxns
	nowMs             int64
	deleteRetentionMs int64
	producers         map[int64]producerLast
	// minHorizon is the earliest delete horizon left on a kept batch that
	// still holds tombstones or an empty transaction's marker.
	minHorizon int64
}

func (f *cleanFilter) noteHorizon(h int64) { f.minHorizon = min(f.minHorizon, h) }

func (f *cleanFilter) newHorizon() int64 {
	if f.deleteRetentionMs > math.MaxInt64-f.nowMs {
		return math.MaxInt64
	}
	return f.nowMs + f.deleteRetentionMs
}

func (f *cleanFilter) isLastOfProducer(h *record.Header) bool {
	p, ok := f.producers[h.ProducerID]
	if !ok {
		return false
	}
	if p.lastOffset >= 0 {
		return h.LastOffset() == p.lastOffset
	}
	return h.IsControl() && h.ProducerEpoch == p.epoch
}

// filter returns what to write for the batch (nil: nothing) and whether it
// differs from the input.
func (f *cleanFilter) filter(h *record.Header, batch []byte) ([]byte, bool, error) {
	keepEmpty := h.HasProducerID() && f.isLastOfProducer(h)
	if h.IsControl() {
		return f.filterControl(h, batch, keepEmpty)
	}
	aborted := f.txns.onDataBatch(h)
	if aborted && !keepEmpty {
		return nil, true, nil
	}
	horizon, hasHorizon := h.DeleteHorizon()
	retainDeletes := !hasHorizon || f.nowMs < horizon
	var kept []kmsg.Record
	dropped, tombstones := 0, false
	if aborted {
		dropped = int(h.RecordCount)
	} else {
		err := record.ForEachRecord(h, batch, func(_ int, r *kmsg.Record) error {
			off := h.BaseOffset + int64(r.OffsetDelta)
			if r.Key == nil || off < f.offsets.get(r.Key) || (r.Value == nil && !retainDeletes) {
				dropped++
				return nil
			}
			c := *r
			c.Key = append([]byte(nil), r.Key...)
			if r.Value != nil {
				c.Value = append([]byte(nil), r.Value...)
			} else {
				tombstones = true
			}
			c.Headers = append([]kmsg.Header(nil), r.Headers...)
			// Absolute for now; rebased once the base timestamp is known.
			c.TimestampDelta64 = h.BaseTimestamp + r.TimestampDelta64
			kept = append(kept, c)
			return nil
		})
		if err != nil {
			return nil, false, err
		}
	}
	needHorizon := tombstones && !hasHorizon
	if dropped == 0 && !needHorizon {
		if tombstones {
			f.noteHorizon(horizon)
		}
		return batch, false, nil
	}
	if len(kept) == 0 {
		if keepEmpty {
			return record.BuildEmpty(*h, h.MaxTimestamp), true, nil
		}
		return nil, true, nil
	}
	nh := *h
	switch {
	case needHorizon:
		nh.Attributes |= record.AttrDeleteHorizonSet
		nh.BaseTimestamp = f.newHorizon()
	case hasHorizon:
		nh.BaseTimestamp = horizon
	default:
		nh.BaseTimestamp = kept[0].TimestampDelta64
	}
	if tombstones {
		f.noteHorizon(nh.BaseTimestamp)
	}
	maxTs := int64(record.NoTimestamp)
	for i := range kept {
		maxTs = max(maxTs, kept[i].TimestampDelta64)
		kept[i].TimestampDelta64 -= nh.BaseTimestamp
		// kmsg encodes the int32 field when the int64 one is zero.
		kept[i].TimestampDelta = int32(kept[i].TimestampDelta64)
	}
	if !h.IsLogAppendTime() {
		nh.MaxTimestamp = maxTs
	}
	nb, err := record.Build(nh, kept, h.Codec())
	if err != nil {
		return nil, false, err
	}
	return nb, true, nil
}

// filterControl keeps a control batch unless it is a marker of a
// transaction with no data left whose delete horizon has passed; such a
// marker first gets a horizon stamped.
func (f *cleanFilter) filterControl(h *record.Header, batch []byte, keepEmpty bool) ([]byte, bool, error) {
	if h.RecordCount == 0 {
		return batch, false, nil // emptied by a Kafka cleaner: nothing left to decide
	}
	c, err := record.ParseControlBatch(h, batch)
	if err != nil {
		return nil, false, err
	}
	if !c.IsTxnMarker() || !f.txns.onMarker(h, c) {
		return batch, false, nil
	}
	horizon, has := h.DeleteHorizon()
	switch {
	case has && horizon <= f.nowMs && keepEmpty:
		// Kafka would keep an empty control batch here; we keep the
		// marker whole, which replays to the same producer state.
		return batch, false, nil
	case has && horizon <= f.nowMs:
		return nil, true, nil
	case has:
		f.noteHorizon(horizon)
		return batch, false, nil
	}
	recs, err := record.Records(h, batch)
	if err != nil {
		return nil, false, err
	}
	nh := *h
	nh.Attributes |= record.AttrDeleteHorizonSet
	nh.BaseTimestamp = f.newHorizon()
	for i := range recs {
		recs[i].TimestampDelta64 += h.BaseTimestamp - nh.BaseTimestamp
		recs[i].TimestampDelta = int32(recs[i].TimestampDelta64)
	}
	f.noteHorizon(nh.BaseTimestamp)
	nb, err := record.Build(nh, recs, h.Codec())
	if err != nil {
		return nil, false, err
	}
	return nb, true, nil
}
