package replication

import (
	"slices"
	"sync/atomic"
)

// isrChanges counts in-sync replica set changes of partitions this broker
// leads (Kafka's ReplicaManager IsrShrinksPerSec / IsrExpandsPerSec). ISR
// changes arrive as metadata (the controller applies AlterPartition), so a
// partition counts them when it applies a new ISR while leading; on a
// single node the ISR never changes and both stay zero.
type isrChanges struct {
	shrinks atomic.Uint64
	expands atomic.Uint64
}

// ISRShrinks is how many times a partition led here lost in-sync replicas.
func (m *Manager) ISRShrinks() uint64 { return m.isr.shrinks.Load() }

// ISRExpands is how many times a partition led here gained in-sync replicas.
func (m *Manager) ISRExpands() uint64 { return m.isr.expands.Load() }

// Partitions returns the hosted partitions (leaders and followers), in no
// particular order.
func (m *Manager) Partitions() []*Partition {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]*Partition, 0, len(m.parts))
	for _, p := range m.parts {
		out = append(out, p)
	}
	return out
}

// noteISRChangeLocked counts a shrink and/or expansion when a partition
// that stays led here gets a new ISR. p.mu must be held.
func (p *Partition) noteISRChangeLocked(newLeader int32, newISR []int32) {
	if p.counts == nil || p.leader != p.nodeID || newLeader != p.nodeID {
		return
	}
	shrunk, expanded := false, false
	for _, r := range p.isr {
		if !slices.Contains(newISR, r) {
			shrunk = true
		}
	}
	for _, r := range newISR {
		if !slices.Contains(p.isr, r) {
			expanded = true
		}
	}
	if shrunk {
		p.counts.shrinks.Add(1)
	}
	if expanded {
		p.counts.expands.Add(1)
	}
}
