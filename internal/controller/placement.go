package controller

import (
	"encoding/binary"
	"fmt"
	"io"
	"sort"

	"github.com/odradek/odradek/internal/metadata"
)

// placer assigns replicas over usable brokers the way Kafka's classic
// assignment does: brokers are ordered so racks alternate, the first
// replica of each partition walks round robin from a random start, and
// followers follow at a shift that grows every full round, which spreads
// leaders and followers evenly and puts replicas on distinct racks where the
// rack count allows.
type placer struct {
	brokers []int32 // rack-alternating order
	start   int
	shift   int
}

func newPlacer(im *metadata.Image, rnd io.Reader) (*placer, error) {
	byRack := map[string][]int32{}
	var racks []string
	for _, id := range im.BrokerIDs() {
		b := im.Brokers[id]
		if b.Fenced || b.InControlledShutdown {
			continue
		}
		if _, ok := byRack[b.Rack]; !ok {
			racks = append(racks, b.Rack)
		}
		byRack[b.Rack] = append(byRack[b.Rack], id)
	}
	sort.Strings(racks)
	p := &placer{}
	for i := 0; ; i++ {
		added := false
		for _, r := range racks {
			if i < len(byRack[r]) {
				p.brokers = append(p.brokers, byRack[r][i])
				added = true
			}
		}
		if !added {
			break
		}
	}
	if n := len(p.brokers); n > 0 {
		var b [16]byte
		if _, err := io.ReadFull(rnd, b[:]); err != nil {
			return nil, fmt.Errorf("controller: read randomness for placement: %w", err)
		}
		p.start = int(binary.BigEndian.Uint64(b[:8]) % uint64(n))
		p.shift = int(binary.BigEndian.Uint64(b[8:]) % uint64(n))
	}
	return p, nil
}

// place returns replica lists for partitions first..first+count-1.
func (p *placer) place(first, count int32, rf int) ([][]int32, error) {
	n := len(p.brokers)
	if rf > n {
		return nil, fmt.Errorf("unable to replicate the partition %d time(s): The target replication factor of %d cannot be reached because only %d broker(s) are registered.", rf, rf, n)
	}
	out := make([][]int32, 0, count)
	for i := int(first); i < int(first+count); i++ {
		shift := p.shift + i/n
		lead := (i + p.start) % n
		reps := []int32{p.brokers[lead]}
		for j := 0; j < rf-1; j++ {
			reps = append(reps, p.brokers[(lead+1+(shift+j)%(n-1))%n])
		}
		out = append(out, reps)
	}
	return out, nil
}

// partitionRecord builds a new partition: the ISR is the usable replicas,
// the leader the first of them in replica order.
func partitionRecord(im *metadata.Image, topicID metadata.UUID, pid int32, replicas []int32) (*metadata.PartitionRecord, error) {
	var isr []int32
	for _, r := range replicas {
		if usable(im, r, -1) {
			isr = append(isr, r)
		}
	}
	if len(isr) == 0 {
		return nil, fmt.Errorf("all brokers specified in the partition assignment for partition %d are fenced or in controlled shutdown", pid)
	}
	return &metadata.PartitionRecord{PartitionID: pid, TopicID: topicID, Replicas: replicas, ISR: isr,
		Leader: isr[0], LeaderEpoch: 0, PartitionEpoch: 0}, nil
}

// checkAssignment validates one manual replica list.
func checkAssignment(im *metadata.Image, pid int32, replicas []int32) error {
	if len(replicas) == 0 {
		return fmt.Errorf("the manual partition assignment includes an empty replica list")
	}
	seen := map[int32]bool{}
	for _, r := range replicas {
		if seen[r] {
			return fmt.Errorf("the manual partition assignment includes the broker %d more than once", r)
		}
		seen[r] = true
		if im.Brokers[r] == nil {
			return fmt.Errorf("the manual partition assignment includes broker %d, but no broker with that ID is registered", r)
		}
	}
	return nil
}
