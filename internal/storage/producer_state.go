package storage

import (
	"fmt"

	"github.com/odradek/odradek/internal/record"
	"github.com/twmb/franz-go/pkg/kerr"
)

// numBatchesToRetain is how many recent batches per producer are kept for
// duplicate detection; idempotent producers have at most 5 in flight.
const numBatchesToRetain = 5

// batchMetadata is one recently written batch of a producer.
type batchMetadata struct {
	firstSeq, lastSeq       int32
	firstOffset, lastOffset int64
	timestamp               int64
}

// producerEntry is the state kept per producer id.
type producerEntry struct {
	producerID            int64
	epoch                 int16
	batches               []batchMetadata // oldest first
	lastTimestamp         int64
	coordinatorEpoch      int32
	currentTxnFirstOffset int64
}

func (e *producerEntry) clone() *producerEntry {
	c := *e
	c.batches = append([]batchMetadata(nil), e.batches...)
	return &c
}

func (e *producerEntry) lastSeq() int32 {
	if len(e.batches) == 0 {
		return record.NoSequence
	}
	return e.batches[len(e.batches)-1].lastSeq
}

func (e *producerEntry) lastOffset() int64 {
	if len(e.batches) == 0 {
		return -1
	}
	return e.batches[len(e.batches)-1].lastOffset
}

func (e *producerEntry) findDuplicate(h *record.Header) (batchMetadata, bool) {
	if h.ProducerEpoch != e.epoch {
		return batchMetadata{}, false
	}
	first, last := h.BaseSequence, h.LastSequence()
	for _, b := range e.batches {
		if b.firstSeq == first && b.lastSeq == last {
			return b, true
		}
	}
	return batchMetadata{}, false
}

func (e *producerEntry) addBatch(epoch int16, b batchMetadata) {
	if epoch != e.epoch {
		e.batches = e.batches[:0]
		e.epoch = epoch
	}
	e.batches = append(e.batches, b)
	if len(e.batches) > numBatchesToRetain {
		e.batches = append(e.batches[:0], e.batches[len(e.batches)-numBatchesToRetain:]...)
	}
	e.lastTimestamp = b.timestamp
}

// txnMarker is the decoded control record of a commit/abort batch.
type txnMarker struct {
	commit           bool
	coordinatorEpoch int32
}

// completedTxn is a transaction ended by a marker.
type completedTxn struct {
	producerID  int64
	firstOffset int64
	lastOffset  int64 // the marker's offset
	aborted     bool
	// lastStableOffset is the LSO once this transaction is done: the first
	// offset of the next open transaction of another producer, or the
	// offset after the marker.
	lastStableOffset int64
}

// producerState maps producer ids to their entries. It is guarded by the
// owning Log's mutex.
type producerState struct {
	producers map[int64]*producerEntry
	// mapEndOffset is the offset up to which the state reflects the log.
	mapEndOffset int64
	// unreplicated holds completed transactions whose marker is not yet
	// below the high watermark; they keep the LSO down until it is.
	unreplicated []completedTxn
}

// firstUnstableOffset is the smallest first offset of an open or not yet
// replicated transaction, -1 if there is none.
func (ps *producerState) firstUnstableOffset() int64 {
	fu := int64(-1)
	for _, e := range ps.producers {
		if e.currentTxnFirstOffset >= 0 && (fu < 0 || e.currentTxnFirstOffset < fu) {
			fu = e.currentTxnFirstOffset
		}
	}
	for _, c := range ps.unreplicated {
		if fu < 0 || c.firstOffset < fu {
			fu = c.firstOffset
		}
	}
	return fu
}

// onHighWatermark forgets completed transactions whose marker is below hw.
func (ps *producerState) onHighWatermark(hw int64) {
	keep := ps.unreplicated[:0]
	for _, c := range ps.unreplicated {
		if c.lastOffset >= hw {
			keep = append(keep, c)
		}
	}
	ps.unreplicated = keep
}

func newProducerState() *producerState {
	return &producerState{producers: map[int64]*producerEntry{}}
}

// producerAppend accumulates the producer updates of one Append so that
// nothing changes if the append fails.
type producerAppend struct {
	ps        *producerState
	updated   map[int64]*producerEntry
	completed []completedTxn
}

func (ps *producerState) begin() *producerAppend {
	return &producerAppend{ps: ps}
}

func (pa *producerAppend) entry(pid int64) (*producerEntry, bool) {
	if e, ok := pa.updated[pid]; ok {
		return e, true
	}
	if e, ok := pa.ps.producers[pid]; ok {
		return e, true
	}
	return nil, false
}

// checkDuplicate returns the original batch if h retries one of the last
// batches of its producer.
func (pa *producerAppend) checkDuplicate(h *record.Header) (batchMetadata, bool) {
	e, ok := pa.entry(h.ProducerID)
	if !ok {
		return batchMetadata{}, false
	}
	return e.findDuplicate(h)
}

// validate applies Kafka's epoch and sequence rules to a client batch.
func (pa *producerAppend) validate(h *record.Header) error {
	e, ok := pa.entry(h.ProducerID)
	if !ok {
		// An unknown producer (new, or its state expired or was deleted
		// with the log head) may start at any sequence.
		return nil
	}
	if h.ProducerEpoch < e.epoch {
		return fmt.Errorf("storage: producer %d epoch %d is older than current epoch %d: %w", h.ProducerID, h.ProducerEpoch, e.epoch, kerr.InvalidProducerEpoch)
	}
	if h.ProducerEpoch != e.epoch {
		if h.BaseSequence != 0 {
			return fmt.Errorf("storage: producer %d new epoch %d must start at sequence 0, got %d: %w", h.ProducerID, h.ProducerEpoch, h.BaseSequence, kerr.OutOfOrderSequenceNumber)
		}
		return nil
	}
	// With no batch of this epoch yet (a marker bumped the epoch), the
	// sequence must start at 0: inSequence(-1, 0).
	last := e.lastSeq()
	if !inSequence(last, h.BaseSequence) {
		return fmt.Errorf("storage: producer %d epoch %d: sequence %d does not follow %d: %w", h.ProducerID, h.ProducerEpoch, h.BaseSequence, last, kerr.OutOfOrderSequenceNumber)
	}
	return nil
}

// validateTxnState rejects a non-transactional write from a producer with
// an open transaction, as Kafka does.
func (pa *producerAppend) validateTxnState(h *record.Header) error {
	e, ok := pa.entry(h.ProducerID)
	if ok && !h.IsTransactional() && !h.IsControl() && e.currentTxnFirstOffset >= 0 && h.ProducerEpoch == e.epoch {
		return fmt.Errorf("storage: producer %d wrote a non-transactional batch inside its open transaction: %w", h.ProducerID, kerr.InvalidTxnState)
	}
	return nil
}

// validateMarker applies the epoch and coordinator-epoch fencing of a
// transaction marker written by a coordinator.
func (pa *producerAppend) validateMarker(h *record.Header, m *txnMarker) error {
	e, ok := pa.entry(h.ProducerID)
	if !ok {
		return nil
	}
	if h.ProducerEpoch < e.epoch {
		return fmt.Errorf("storage: marker for producer %d has epoch %d below current %d: %w", h.ProducerID, h.ProducerEpoch, e.epoch, kerr.InvalidProducerEpoch)
	}
	if e.coordinatorEpoch > m.coordinatorEpoch {
		return fmt.Errorf("storage: marker for producer %d from coordinator epoch %d, current %d: %w", h.ProducerID, m.coordinatorEpoch, e.coordinatorEpoch, kerr.TransactionCoordinatorFenced)
	}
	return nil
}

// nextIncompleteTxn is the first offset of the earliest open transaction
// of a producer other than pid, -1 if none.
func (pa *producerAppend) nextIncompleteTxn(pid int64) int64 {
	first := int64(-1)
	consider := func(e *producerEntry) {
		if e.producerID != pid && e.currentTxnFirstOffset >= 0 && (first < 0 || e.currentTxnFirstOffset < first) {
			first = e.currentTxnFirstOffset
		}
	}
	for id, e := range pa.ps.producers {
		if _, over := pa.updated[id]; !over {
			consider(e)
		}
	}
	for _, e := range pa.updated {
		consider(e)
	}
	return first
}

func inSequence(last, next int32) bool {
	return int64(next) == int64(last)+1 || (next == 0 && last == 1<<31-1)
}

// record notes a batch written at its assigned offsets; m is the decoded
// marker of a commit/abort control batch, nil otherwise.
func (pa *producerAppend) record(h *record.Header, m *txnMarker) {
	if !h.HasProducerID() {
		return
	}
	if pa.updated == nil {
		pa.updated = map[int64]*producerEntry{}
	}
	e, ok := pa.updated[h.ProducerID]
	if !ok {
		if cur, ok := pa.ps.producers[h.ProducerID]; ok {
			e = cur.clone()
		} else {
			e = &producerEntry{producerID: h.ProducerID, epoch: h.ProducerEpoch, coordinatorEpoch: -1, currentTxnFirstOffset: -1}
		}
		pa.updated[h.ProducerID] = e
	}
	if h.IsControl() {
		if m == nil {
			return // KRaft control records carry no producer state
		}
		// A marker ends the open transaction but carries no sequence.
		first := e.currentTxnFirstOffset
		if first < 0 {
			first = h.BaseOffset
		}
		if h.ProducerEpoch > e.epoch {
			e.epoch, e.batches = h.ProducerEpoch, e.batches[:0]
		}
		e.currentTxnFirstOffset = -1
		e.coordinatorEpoch = m.coordinatorEpoch
		e.lastTimestamp = h.MaxTimestamp
		lso := pa.nextIncompleteTxn(h.ProducerID)
		if lso < 0 {
			lso = h.LastOffset() + 1
		}
		pa.completed = append(pa.completed, completedTxn{
			producerID: h.ProducerID, firstOffset: first, lastOffset: h.LastOffset(),
			aborted: !m.commit, lastStableOffset: lso,
		})
		return
	}
	if h.IsTransactional() && e.currentTxnFirstOffset < 0 {
		e.currentTxnFirstOffset = h.BaseOffset
	}
	e.addBatch(h.ProducerEpoch, batchMetadata{
		firstSeq:    h.BaseSequence,
		lastSeq:     h.LastSequence(),
		firstOffset: h.BaseOffset,
		lastOffset:  h.LastOffset(),
		timestamp:   h.MaxTimestamp,
	})
}

func (pa *producerAppend) commit(endOffset int64) {
	for pid, e := range pa.updated {
		pa.ps.producers[pid] = e
	}
	pa.ps.unreplicated = append(pa.ps.unreplicated, pa.completed...)
	pa.ps.mapEndOffset = endOffset
}

// expire drops producers with no open transaction whose last write is at
// or before cutoffMs (now - producer.id.expiration.ms).
func (ps *producerState) expire(cutoffMs int64) int {
	n := 0
	for pid, e := range ps.producers {
		if e.currentTxnFirstOffset < 0 && e.lastTimestamp <= cutoffMs {
			delete(ps.producers, pid)
			n++
		}
	}
	return n
}

// ProducerInfo is a producer's state as DescribeProducers reports it.
type ProducerInfo struct {
	ProducerID            int64
	ProducerEpoch         int16
	LastSequence          int32
	LastTimestamp         int64
	CoordinatorEpoch      int32
	CurrentTxnStartOffset int64
}
