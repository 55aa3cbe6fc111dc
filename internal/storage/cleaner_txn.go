package storage

import (
	"sort"

	"github.com/odradek/odradek/internal/record"
)

// cleanerTxns follows transactions while the cleaner reads a range of the
// log in offset order, to decide (as Kafka's cleaner does) which batches
// belong to aborted transactions and which markers end a transaction that
// no longer has any data left.
type cleanerTxns struct {
	pending          []AbortedTxn // aborted, not yet reached; by FirstOffset
	ongoingAborted   map[int64]*abortedInProgress
	ongoingCommitted map[int64]bool
	// retained are the aborted transactions whose marker stays in the
	// cleaned output; they form its .txnindex.
	retained []AbortedTxn
}

type abortedInProgress struct {
	txn AbortedTxn
	// sawBatch is set once a data batch of the transaction was read: its
	// marker must stay this pass (the index entry too), since readers
	// of older copies of the log may still need it.
	sawBatch bool
}

func newCleanerTxns(aborted []AbortedTxn) *cleanerTxns {
	p := append([]AbortedTxn(nil), aborted...)
	sort.Slice(p, func(i, j int) bool { return p[i].FirstOffset < p[j].FirstOffset })
	return &cleanerTxns{pending: p, ongoingAborted: map[int64]*abortedInProgress{}, ongoingCommitted: map[int64]bool{}}
}

func (t *cleanerTxns) reach(offset int64) {
	for len(t.pending) > 0 && t.pending[0].FirstOffset <= offset {
		a := t.pending[0]
		t.ongoingAborted[a.ProducerID] = &abortedInProgress{txn: a}
		t.pending = t.pending[1:]
	}
}

// onDataBatch reports whether the batch belongs to an aborted transaction,
// so that all its records can go.
func (t *cleanerTxns) onDataBatch(h *record.Header) bool {
	t.reach(h.LastOffset())
	if !h.IsTransactional() {
		return false
	}
	if a, ok := t.ongoingAborted[h.ProducerID]; ok {
		a.sawBatch = true
		return true
	}
	t.ongoingCommitted[h.ProducerID] = true
	return false
}

// onMarker reports whether the transaction the marker ends had no data in
// what was read, so that the marker may go once its delete horizon passed.
func (t *cleanerTxns) onMarker(h *record.Header, c record.ControlRecord) bool {
	t.reach(h.LastOffset())
	switch c.Type {
	case record.ControlAbort:
		a, ok := t.ongoingAborted[h.ProducerID]
		delete(t.ongoingAborted, h.ProducerID)
		if ok && a.sawBatch {
			t.retained = append(t.retained, a.txn)
			return false
		}
		return true
	case record.ControlCommit:
		had := t.ongoingCommitted[h.ProducerID]
		delete(t.ongoingCommitted, h.ProducerID)
		return !had
	}
	return false
}
