package record

// DeleteHorizon returns the delete horizon the log cleaner stamped into the
// batch (KIP-534): with AttrDeleteHorizonSet, baseTimestamp holds the time
// after which the batch's tombstones and transaction markers may go, and
// record timestamp deltas are relative to it.
func (h *Header) DeleteHorizon() (int64, bool) {
	if h.Attributes&AttrDeleteHorizonSet == 0 {
		return 0, false
	}
	return h.BaseTimestamp, true
}

// BuildEmpty returns a batch with no records that keeps h's offsets and
// producer fields: what the cleaner leaves of a producer's last batch once
// every record is gone, so the producer's sequence survives. Its base and
// max timestamps are timestamp, as Kafka writes such a batch.
func BuildEmpty(h Header, timestamp int64) []byte {
	h.Attributes &^= AttrDeleteHorizonSet
	h.BaseTimestamp, h.MaxTimestamp = timestamp, timestamp
	return BuildRaw(h, 0, nil, CodecNone)
}
