package storage

import (
	"errors"
	"fmt"

	"github.com/odradek/odradek/internal/record"
	"github.com/twmb/franz-go/pkg/kerr"
)

// AppendOrigin says who wrote a leader append, as Kafka's AppendOrigin.
type AppendOrigin int8

const (
	// OriginClient is a producer: full validation, idempotence sequence
	// checks, control batches refused.
	OriginClient AppendOrigin = iota
	// OriginCoordinator is a group or transaction coordinator: control
	// batches (transaction markers) allowed, producer epochs checked but
	// not sequences.
	OriginCoordinator
	// OriginRaftLeader is the metadata quorum leader: control batches
	// allowed, no producer checks.
	OriginRaftLeader
)

// AppendOptions says how to append.
type AppendOptions struct {
	// LeaderEpoch is stamped into every batch when AssignOffsets is set.
	LeaderEpoch int32
	// AssignOffsets is true for leader appends: batches are validated,
	// offsets assigned and producer state checked per Origin. False is
	// for follower appends that keep the leader's offsets and epochs.
	AssignOffsets bool
	// Origin qualifies leader appends; the zero value is a client.
	Origin AppendOrigin
}

// AppendResult describes a successful (or duplicate) append.
type AppendResult struct {
	FirstOffset    int64
	LastOffset     int64
	LogAppendTime  int64 // -1 for CreateTime topics
	LogStartOffset int64
	// Duplicate is set when the batch retried an already written one;
	// the offsets are the original ones and nothing was written.
	Duplicate bool
	// RecordErrors accompany a kerr.InvalidRecord/InvalidTimestamp error.
	RecordErrors []RecordError
}

// ErrUnexpectedAppendOffset is returned for a follower append whose offsets
// do not continue the log.
var ErrUnexpectedAppendOffset = errors.New("storage: unexpected append offset")

// Append writes records, the raw records field of a produce request
// partition (one or more v2 batches). As leader it patches base offsets,
// leader epochs and, for LogAppendTime topics, timestamps into the caller's
// buffer in place; the stored bytes are otherwise the batches as received.
// Errors wrap kerr codes.
func (l *Log) Append(records []byte, opts AppendOptions) (AppendResult, error) {
	res := AppendResult{FirstOffset: -1, LastOffset: -1, LogAppendTime: -1}
	if len(records) == 0 {
		return res, fmt.Errorf("storage: append to %s: no record batches: %w", l.tp, kerr.CorruptMessage)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return res, fmt.Errorf("storage: append to %s: log is closed: %w", l.tp, kerr.NotLeaderForPartition)
	}
	if err := l.checkOnline(); err != nil {
		return res, err
	}
	cfg := &l.cfg
	now := l.env.clock.Now().UnixMilli()
	res.LogStartOffset = l.logStart.Load()
	if int64(len(records)) > cfg.SegmentBytes {
		return res, fmt.Errorf("storage: append of %d bytes to %s exceeds segment.bytes %d: %w", len(records), l.tp, cfg.SegmentBytes, kerr.RecordListTooLarge)
	}

	var (
		batches [][]byte
		headers []record.Header
		markers []*txnMarker
		rest    = records
		total   int
		rebuilt bool
	)
	for len(rest) > 0 {
		b, r, err := record.NextBatch(rest)
		if err != nil {
			return res, fmt.Errorf("storage: append to %s: %w", l.tp, err)
		}
		rest = r
		if len(b) > int(cfg.MaxMessageBytes) && opts.AssignOffsets {
			return res, fmt.Errorf("storage: batch of %d bytes exceeds max.message.bytes %d of %s: %w", len(b), cfg.MaxMessageBytes, l.tp, kerr.MessageTooLarge)
		}
		h, err := record.Validate(b)
		if err != nil {
			return res, fmt.Errorf("storage: append to %s: %w", l.tp, err)
		}
		var marker *txnMarker
		if h.IsControl() {
			cr, err := record.ParseControlBatch(&h, b)
			if err != nil {
				return res, fmt.Errorf("storage: append to %s: %w", l.tp, err)
			}
			if cr.IsTxnMarker() {
				marker = &txnMarker{commit: cr.Type == record.ControlCommit, coordinatorEpoch: cr.CoordinatorEpoch}
			}
		}
		if opts.AssignOffsets {
			nb, berr := validateClientBatch(b, &h, cfg, now, opts.Origin == OriginClient)
			if berr != nil {
				res.RecordErrors = berr.records
				return res, berr.err
			}
			if len(nb) != len(b) || &nb[0] != &b[0] {
				b, rebuilt = nb, true
				h, _ = record.ParseHeader(b)
			}
		}
		batches = append(batches, b)
		headers = append(headers, h)
		markers = append(markers, marker)
		total += len(b)
	}

	pa := l.producers.begin()
	next := l.logEnd.Load()
	if opts.AssignOffsets {
		dup, err := checkProducers(pa, headers, markers, opts.Origin)
		if err != nil {
			return res, fmt.Errorf("storage: append to %s: %w", l.tp, err)
		}
		if dup != nil {
			res.FirstOffset, res.LastOffset, res.Duplicate = dup.firstOffset, dup.lastOffset, true
			if cfg.logAppendTime() {
				res.LogAppendTime = dup.timestamp
			}
			return res, nil
		}
		pa = l.producers.begin()
		for i, b := range batches {
			h := &headers[i]
			record.SetBaseOffset(b, next)
			record.SetPartitionLeaderEpoch(b, opts.LeaderEpoch)
			if cfg.logAppendTime() {
				record.SetLogAppendTime(b, now)
				res.LogAppendTime = now
			}
			*h, _ = record.ParseHeader(b)
			next = h.LastOffset() + 1
		}
	} else {
		for i := range headers {
			h := &headers[i]
			// Gaps are legal (compacted leaders); going backwards is not.
			if h.BaseOffset < next {
				return res, fmt.Errorf("storage: follower append to %s at offset %d, log end %d: %w", l.tp, h.BaseOffset, next, ErrUnexpectedAppendOffset)
			}
			next = h.LastOffset() + 1
		}
	}
	for i := range headers {
		pa.record(&headers[i], markers[i])
	}

	first, last := headers[0].BaseOffset, headers[len(headers)-1].LastOffset()
	maxTs := int64(record.NoTimestamp)
	for i := range headers {
		maxTs = max(maxTs, headers[i].MaxTimestamp)
	}
	if err := l.maybeRoll(total, maxTs, first, last, now); err != nil {
		return res, err
	}
	seg := l.activeSegment()
	infos := make([]batchInfo, len(headers))
	for i := range headers {
		h := &headers[i]
		infos[i] = batchInfo{baseOffset: h.BaseOffset, lastOffset: h.LastOffset(), maxTimestamp: h.MaxTimestamp, size: int32(h.Size())}
	}
	// Unless a batch was recompressed, the batches are the caller's
	// buffer patched in place and can be written with one call.
	data := records
	if rebuilt {
		data = make([]byte, 0, total)
		for _, b := range batches {
			data = append(data, b...)
		}
	}
	if err := seg.append(data, infos, cfg.IndexIntervalBytes); err != nil {
		l.ioError(err)
		return res, fmt.Errorf("storage: append to %s: %v: %w", l.tp, err, kerr.KafkaStorageError)
	}
	l.env.writeback.maybeWriteback(seg)
	for i := range headers {
		// A new epoch reaches leader-epoch-checkpoint when the segments
		// are flushed, before the recovery point passes it (recovery
		// reassigns epochs above the recovery point from the batches),
		// not here: two fsyncs on the produce path of every partition's
		// first append after a leader change stall on a busy disk, as
		// Kafka found (KAFKA-15046).
		l.epochs.assign(headers[i].PartitionLeaderEpoch, headers[i].BaseOffset)
	}
	for _, c := range pa.completed {
		if c.aborted {
			if err := seg.txn.append(AbortedTxn{c.producerID, c.firstOffset, c.lastOffset, c.lastStableOffset}); err != nil {
				l.ioError(err)
				return res, fmt.Errorf("storage: append to %s: %v: %w", l.tp, err, kerr.KafkaStorageError)
			}
		}
	}
	pa.commit(last + 1)
	l.producers.onHighWatermark(l.hw.Load())
	l.firstUnstable.Store(l.producers.firstUnstableOffset())
	l.logEnd.Store(last + 1)
	l.sizeBytes.Add(int64(total))
	l.unflushed += last - first + 1
	res.FirstOffset, res.LastOffset = first, last
	if l.unflushed >= cfg.FlushMessages {
		segs := append([]*segment(nil), l.segments...)
		rp := l.recoveryPoint
		l.mu.Unlock()
		err := l.flushSegments(segs, rp, last+1)
		l.mu.Lock()
		if err != nil {
			return res, fmt.Errorf("storage: flush after append: %v: %w", err, kerr.KafkaStorageError)
		}
	}
	return res, nil
}

// maybeRoll starts a new segment when this append would not fit: by size,
// by segment.ms (+ jitter), when an index is full, or when the last offset
// no longer fits in a relative int32 offset.
func (l *Log) maybeRoll(size int, maxTs, first, last, nowMs int64) error {
	s := l.activeSegment()
	cfg := &l.cfg
	reachedMs := s.timeWaitedForRoll(nowMs, maxTs) > cfg.maxSegmentMs()-s.rollJitterMs
	if s.size > cfg.SegmentBytes-int64(size) ||
		(s.size > 0 && reachedMs) ||
		s.oidx.isFull() || s.tidx.isFull() ||
		!s.canHold(last) {
		// When the relative offset overflows, start at the first offset
		// of the append; otherwise at the log end, as Kafka does.
		return l.roll(first)
	}
	return nil
}

// roll makes a new active segment at max(next, LEO), snapshotting producer
// state at its base offset and flushing the old segments in the background.
// The caller holds l.mu.
func (l *Log) roll(next int64) error {
	base := max(next, l.logEnd.Load())
	old := l.activeSegment()
	if old.baseOffset == base && old.size == 0 {
		return nil
	}
	if err := old.onBecomeInactive(); err != nil {
		l.ioError(err)
		return fmt.Errorf("storage: roll %s: %v: %w", l.tp, err, kerr.KafkaStorageError)
	}
	now := l.env.clock.Now()
	seg, err := createSegment(l.dir, base, l.cfg, now, l.env.jitter(l.cfg.SegmentJitterMs))
	if err != nil {
		l.ioError(err)
		return fmt.Errorf("storage: roll %s: %v: %w", l.tp, err, kerr.KafkaStorageError)
	}
	l.segments = append(l.segments, seg)
	if err := writeProducerSnapshot(l.dir, base, l.producers.producers); err != nil {
		l.env.logger.Warn("producer snapshot on roll failed", "partition", l.tp.String(), "error", err)
	}
	segs := append([]*segment(nil), l.segments[:len(l.segments)-1]...)
	rp := l.recoveryPoint
	l.bg.Add(1)
	go func() {
		defer l.bg.Done()
		if err := l.flushSegments(segs, rp, base); err != nil {
			l.env.logger.Warn("flush after roll failed", "partition", l.tp.String(), "error", err)
		}
	}()
	return nil
}

// Roll forces a new active segment (kafka-log-dirs style admin action).
func (l *Log) Roll() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.roll(l.logEnd.Load())
}

// checkProducers applies the producer rules of origin to a leader append,
// batch by batch so later batches of a producer are checked against earlier
// ones. It returns the original batch when the append retries one.
func checkProducers(pa *producerAppend, headers []record.Header, markers []*txnMarker, origin AppendOrigin) (*batchMetadata, error) {
	if origin == OriginRaftLeader {
		return nil, nil
	}
	for i := range headers {
		h := headers[i] // a copy: offsets are not assigned yet
		if !h.HasProducerID() {
			continue
		}
		switch {
		case markers[i] != nil:
			if err := pa.validateMarker(&h, markers[i]); err != nil {
				return nil, err
			}
		case origin == OriginClient:
			if dup, ok := pa.checkDuplicate(&h); ok {
				return &dup, nil
			}
			if err := pa.validate(&h); err != nil {
				return nil, err
			}
		default:
			if e, ok := pa.entry(h.ProducerID); ok && h.ProducerEpoch < e.epoch {
				return nil, fmt.Errorf("storage: producer %d epoch %d is older than current epoch %d: %w", h.ProducerID, h.ProducerEpoch, e.epoch, kerr.InvalidProducerEpoch)
			}
		}
		if err := pa.validateTxnState(&h); err != nil {
			return nil, err
		}
		h.BaseOffset = 0
		pa.record(&h, markers[i])
	}
	return nil, nil
}

// LastStableOffset is the offset below which every transaction is decided
// and replicated: the high watermark, or the first offset of the earliest
// open (or not yet replicated) transaction if lower. READ_COMMITTED fetches
// stop there.
func (l *Log) LastStableOffset() int64 {
	hw := l.hw.Load()
	if fu := l.firstUnstable.Load(); fu >= 0 && fu < hw {
		return fu
	}
	return hw
}

// AbortedTransactions lists the aborted transactions overlapping
// [startOffset, upperBoundOffset), for READ_COMMITTED fetch responses.
func (l *Log) AbortedTransactions(startOffset, upperBoundOffset int64) []AbortedTxn {
	l.mu.RLock()
	defer l.mu.RUnlock()
	var out []AbortedTxn
	for i := l.segmentFor(startOffset); i < len(l.segments); i++ {
		s := l.segments[i]
		if s.baseOffset >= upperBoundOffset {
			break
		}
		var done bool
		out, done = s.txn.collect(out, startOffset, upperBoundOffset)
		if done {
			break
		}
	}
	return out
}
