// Package replication holds the broker's view of the partitions it hosts:
// leadership, the in-sync replica set and the high watermark, on top of the
// storage log. A partition whose ISR is only the leader advances its high
// watermark on every append; the same rule (minimum log end offset over the
// ISR) covers followers once they fetch.
package replication

import (
	"context"
	"fmt"
	"sync"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/storage"
)

// Partition is one hosted replica.
type Partition struct {
	Topic   string
	Index   int32
	TopicID metadata.UUID

	nodeID int32
	log    *storage.Log

	mu          sync.Mutex
	leader      int32
	leaderEpoch int32
	replicas    []int32
	isr         []int32
	followerLEO map[int32]int64
	waiters     map[chan<- struct{}]struct{}
	counts      *isrChanges // the manager's; nil in tests
}

func newPartition(nodeID int32, topic string, id metadata.UUID, p *metadata.Partition, log *storage.Log) *Partition {
	part := &Partition{Topic: topic, Index: p.ID, TopicID: id, nodeID: nodeID, log: log, followerLEO: map[int32]int64{}, waiters: map[chan<- struct{}]struct{}{}}
	part.update(p)
	return part
}

// update applies a leadership or ISR change from metadata.
func (p *Partition) update(mp *metadata.Partition) {
	p.mu.Lock()
	p.noteISRChangeLocked(mp.Leader, mp.ISR)
	p.leader = mp.Leader
	p.leaderEpoch = mp.LeaderEpoch
	p.replicas = append([]int32(nil), mp.Replicas...)
	p.isr = append([]int32(nil), mp.ISR...)
	p.mu.Unlock()
	p.maybeAdvanceHighWatermark()
}

// Log returns the underlying storage log.
func (p *Partition) Log() *storage.Log { return p.log }

// Leadership returns the current leader and leader epoch.
func (p *Partition) Leadership() (leader, epoch int32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.leader, p.leaderEpoch
}

// ISR returns a copy of the in-sync replica set.
func (p *Partition) ISR() []int32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]int32(nil), p.isr...)
}

// CheckLeaderEpoch validates a client's view of the leader epoch (-1 means
// the client did not say) the way Kafka does for fetch and list offsets.
func (p *Partition) CheckLeaderEpoch(current int32) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.checkLeaderLocked(current)
}

func (p *Partition) checkLeaderLocked(current int32) error {
	switch {
	case current >= 0 && current < p.leaderEpoch:
		return kerr.FencedLeaderEpoch
	case current > p.leaderEpoch:
		return kerr.UnknownLeaderEpoch
	case p.leader != p.nodeID:
		return kerr.NotLeaderForPartition
	}
	return nil
}

// AppendAsLeader validates and appends a produce request's records. With
// acks=-1 the ISR must have at least minISR members.
func (p *Partition) AppendAsLeader(records []byte, acks int16, minISR int) (storage.AppendResult, error) {
	return p.appendAsLeader(records, acks, minISR, storage.OriginClient)
}

// AppendAsCoordinator appends records a coordinator built (group metadata,
// offsets, transaction markers), which storage validates as the
// coordinator's rather than a client's.
func (p *Partition) AppendAsCoordinator(records []byte) (storage.AppendResult, error) {
	return p.appendAsLeader(records, 1, 1, storage.OriginCoordinator)
}

func (p *Partition) appendAsLeader(records []byte, acks int16, minISR int, origin storage.AppendOrigin) (storage.AppendResult, error) {
	p.mu.Lock()
	if p.leader != p.nodeID {
		p.mu.Unlock()
		return storage.AppendResult{}, kerr.NotLeaderForPartition
	}
	if acks == -1 && len(p.isr) < minISR {
		p.mu.Unlock()
		return storage.AppendResult{}, kerr.NotEnoughReplicas
	}
	epoch := p.leaderEpoch
	p.mu.Unlock()
	res, err := p.log.Append(records, storage.AppendOptions{LeaderEpoch: epoch, AssignOffsets: true, Origin: origin})
	if err != nil {
		return res, err
	}
	p.maybeAdvanceHighWatermark()
	return res, nil
}

// maybeAdvanceHighWatermark sets the high watermark to the smallest log end
// offset across the ISR and wakes waiters when it moves.
func (p *Partition) maybeAdvanceHighWatermark() {
	p.mu.Lock()
	if p.leader != p.nodeID {
		p.mu.Unlock()
		return
	}
	hw := p.log.LogEndOffset()
	for _, r := range p.isr {
		if r == p.nodeID {
			continue
		}
		if leo, ok := p.followerLEO[r]; !ok || leo < hw {
			hw = leo
			if !ok {
				hw = p.log.HighWatermark()
			}
		}
	}
	moved := hw > p.log.HighWatermark()
	if moved {
		p.log.SetHighWatermark(hw)
	}
	var ws map[chan<- struct{}]struct{}
	if moved && len(p.waiters) > 0 {
		ws, p.waiters = p.waiters, map[chan<- struct{}]struct{}{}
	}
	p.mu.Unlock()
	for w := range ws {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// Watch registers ch to receive one signal (non-blocking) the next time the
// high watermark advances; delayed fetches and acks=all produces wait on it.
func (p *Partition) Watch(ch chan<- struct{}) {
	p.mu.Lock()
	p.waiters[ch] = struct{}{}
	p.mu.Unlock()
}

// Unwatch withdraws a Watch that is no longer wanted.
func (p *Partition) Unwatch(ch chan<- struct{}) {
	p.mu.Lock()
	delete(p.waiters, ch)
	p.mu.Unlock()
}

// HighWatermark is the offset below which records are committed.
func (p *Partition) HighWatermark() int64 { return p.log.HighWatermark() }

// WaitForHighWatermark blocks until the high watermark reaches offset, the
// context ends, or leadership is lost.
func (p *Partition) WaitForHighWatermark(ctx context.Context, offset int64) error {
	ch := make(chan struct{}, 1)
	defer p.Unwatch(ch)
	for {
		p.Watch(ch)
		if p.log.HighWatermark() >= offset {
			return nil
		}
		if leader, _ := p.Leadership(); leader != p.nodeID {
			return kerr.NotLeaderForPartition
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s-%d to replicate to %d: %w", p.Topic, p.Index, offset, kerr.RequestTimedOut)
		}
	}
}
