package storage

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
)

// The log cleaner compacts logs whose cleanup.policy includes compact,
// following Kafka's cleaner:
//
//   - a log is cleaned when its dirty ratio exceeds
//     min.cleanable.dirty.ratio, when its oldest dirty record is older than
//     max.compaction.lag.ms, or when a delete horizon it stamped passed;
//   - the dirty section runs from the cleaner checkpoint to the first
//     uncleanable offset: the active segment, the high watermark, the
//     first unstable offset and the first segment newer than
//     min.compaction.lag.ms bound it;
//   - a key map (bounded by log.cleaner.dedupe.buffer.size) of the dirty
//     section's latest offset per key drives a rewrite of every segment up
//     to where the map reaches; a full map ends the pass early and the
//     next pass continues from there;
//   - adjacent segments are merged while the result fits segment.bytes,
//     segment.index.bytes and int32 relative offsets (groupSegmentsBySize);
//   - records without a key and records a later offset of their key
//     supersedes are removed; tombstones get a delete horizon (now +
//     delete.retention.ms) stamped into their batch header (KIP-534) and
//     are removed by the first pass after it;
//   - aborted transactions' batches are removed; a commit or abort marker
//     whose transaction has no data left gets a delete horizon and goes
//     after it; .txnindex keeps the aborted transactions still present;
//   - a producer's last data batch is kept, emptied if need be, so producer
//     state can be rebuilt from the log.
//
// Rewritten batches keep base offset, last offset delta, producer fields
// and codec, so offsets and sequences never change. See cleaner_swap.go
// for how a rewrite replaces the files crash-safely.

const cleanerCheckpointFile = "cleaner-offset-checkpoint"

// RunCleaner runs one pass over every compacted log that needs cleaning,
// then writes cleaner-offset-checkpoint.
func (m *Manager) RunCleaner() error {
	var errs []error
	now := m.cfg.Clock.Now().UnixMilli()
	buffer := m.cfg.CleanerDedupeBufferSize / int64(m.cfg.CleanerThreads)
	changed := false
	for _, l := range m.Logs() {
		if !l.Config().compactPolicy() || l.checkOnline() != nil {
			continue
		}
		m.cleanMu.Lock()
		firstDirty, ok := m.cleanerOffsets[l.tp]
		if !ok {
			firstDirty = -1
		}
		horizon, ok := m.cleanerHorizons[l.tp]
		if !ok {
			horizon = math.MaxInt64
		}
		m.cleanMu.Unlock()
		res, err := l.clean(firstDirty, horizon, now, buffer)
		if err != nil {
			errs = append(errs, fmt.Errorf("storage: clean %s: %w", l.tp, err))
			continue
		}
		if !res.ran {
			continue
		}
		m.cleanMu.Lock()
		if res.nextDirty != firstDirty {
			m.cleanerOffsets[l.tp] = res.nextDirty
			changed = true
		}
		m.cleanerHorizons[l.tp] = res.minHorizon
		m.cleanMu.Unlock()
	}
	if changed {
		errs = append(errs, m.checkpointCleaner())
	}
	return errors.Join(errs...)
}

func (m *Manager) checkpointCleaner() error {
	var errs []error
	for d, logs := range m.byDir() {
		offs := map[TopicPartition]int64{}
		m.cleanMu.Lock()
		for _, l := range logs {
			if o, ok := m.cleanerOffsets[l.tp]; ok {
				offs[l.tp] = o
			}
		}
		m.cleanMu.Unlock()
		errs = append(errs, writeOffsetCheckpoint(filepath.Join(d, cleanerCheckpointFile), offs))
	}
	return errors.Join(errs...)
}

// cleanResult is what a pass reports back to the manager.
type cleanResult struct {
	ran        bool
	nextDirty  int64 // the new cleaner checkpoint
	minHorizon int64 // earliest pending delete horizon, MaxInt64 if none
}

// clean runs one pass if the log needs one.
func (l *Log) clean(firstDirty, pendingHorizon, nowMs, bufferBytes int64) (cleanResult, error) {
	l.cleanMu.Lock()
	defer l.cleanMu.Unlock()
	p, ok := l.planClean(firstDirty, pendingHorizon, nowMs)
	if !ok {
		return cleanResult{nextDirty: firstDirty}, nil
	}
	offsets := newOffsetMap(bufferBytes)
	end, err := l.buildOffsetMap(&p, offsets)
	if err != nil {
		return cleanResult{}, abandonIfRemoved(err)
	}
	f := &cleanFilter{
		offsets:           offsets,
		nowMs:             nowMs,
		deleteRetentionMs: p.cfg.DeleteRetentionMs,
		producers:         p.producers,
		minHorizon:        math.MaxInt64,
	}
	for _, g := range groupSegmentsBySize(&p, end) {
		if err := l.cleanGroup(&p, g, f); err != nil {
			return cleanResult{}, abandonIfRemoved(err)
		}
	}
	return cleanResult{ran: true, nextDirty: end, minHorizon: f.minHorizon}, nil
}
