package storage

// EpochForOffset returns the leader epoch that was current when offset was
// written, -1 if unknown; ListOffsets reports it beside the offset.
func (l *Log) EpochForOffset(offset int64) int32 { return l.epochs.epochForOffset(offset) }
