// Package assignor holds the server-side partition assignors of the KIP-848
// consumer group protocol: "uniform" (the default) and "range". They are pure
// functions of their input: the same members and topics always give the same
// target assignment, which is what lets a coordinator replay records instead
// of re-running an assignor after failover.
package assignor

import (
	"fmt"
	"sort"
	"strings"
)

// TopicID is a Kafka topic UUID.
type TopicID = [16]byte

// TopicPartition names one partition by topic id.
type TopicPartition struct {
	Topic     TopicID
	Partition int32
}

// Assignment maps a topic id to its partitions, sorted ascending.
type Assignment map[TopicID][]int32

// Topic is the metadata an assignor sees for one topic.
type Topic struct {
	ID         TopicID
	Name       string
	Partitions int32
	// PartitionRacks optionally lists, per partition index, the racks of the
	// partition's replicas. Nil or short means racks are unknown.
	PartitionRacks [][]string
}

// Member is one group member as the assignor sees it.
type Member struct {
	ID string
	// Rack is the member's rack ("" when unknown).
	Rack       string
	Subscribed []TopicID
	// Current is the member's current target assignment; assignors use it to
	// keep partitions where they are.
	Current Assignment
}

// Input is everything an assignor reads.
type Input struct {
	Members []Member
	Topics  map[TopicID]Topic
}

// Assignor computes a target assignment for a consumer group.
type Assignor interface {
	Name() string
	// Assign returns the target assignment of every member in in.Members
	// (members without partitions map to an empty Assignment).
	Assign(in Input) (map[string]Assignment, error)
}

// Names of the built-in assignors, in Kafka's default preference order.
const (
	UniformName = "uniform"
	RangeName   = "range"
)

// DefaultNames is the default value of group.consumer.assignors.
var DefaultNames = []string{UniformName, RangeName}

// New returns the built-in assignor with the given name.
func New(name string) (Assignor, error) {
	switch strings.ToLower(name) {
	case UniformName:
		return Uniform{}, nil
	case RangeName:
		return Range{}, nil
	}
	return nil, fmt.Errorf("assignor %q: unknown server assignor (known: %s)", name, strings.Join(DefaultNames, ", "))
}

// Partitions returns the assignment as a sorted list of topic-partitions.
func (a Assignment) Partitions() []TopicPartition {
	var out []TopicPartition
	for t, ps := range a {
		for _, p := range ps {
			out = append(out, TopicPartition{t, p})
		}
	}
	SortTopicPartitions(out)
	return out
}

// Count is the number of partitions in the assignment.
func (a Assignment) Count() int {
	n := 0
	for _, ps := range a {
		n += len(ps)
	}
	return n
}

// Equal reports whether a and b hold the same partitions.
func (a Assignment) Equal(b Assignment) bool {
	if a.Count() != b.Count() {
		return false
	}
	for t, ps := range a {
		qs := b[t]
		if len(ps) != len(qs) {
			return false
		}
		for i := range ps {
			if ps[i] != qs[i] {
				return false
			}
		}
	}
	return true
}

// FromPartitions groups topic-partitions into a normalised Assignment.
func FromPartitions(tps []TopicPartition) Assignment {
	a := Assignment{}
	for _, tp := range tps {
		a[tp.Topic] = append(a[tp.Topic], tp.Partition)
	}
	for t := range a {
		sort.Slice(a[t], func(i, j int) bool { return a[t][i] < a[t][j] })
	}
	return a
}

// SortTopicPartitions orders by topic id bytes, then partition.
func SortTopicPartitions(tps []TopicPartition) {
	sort.Slice(tps, func(i, j int) bool { return LessTP(tps[i], tps[j]) })
}

// LessTP is the canonical topic-partition order.
func LessTP(a, b TopicPartition) bool {
	if c := compareID(a.Topic, b.Topic); c != 0 {
		return c < 0
	}
	return a.Partition < b.Partition
}

func compareID(a, b TopicID) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// rackMatch reports whether the member's rack holds a replica of the
// partition. Unknown racks never match, so rack awareness only kicks in when
// both sides are known.
func rackMatch(in Input, memberRack string, tp TopicPartition) bool {
	if memberRack == "" {
		return false
	}
	t := in.Topics[tp.Topic]
	if int(tp.Partition) >= len(t.PartitionRacks) {
		return false
	}
	for _, r := range t.PartitionRacks[tp.Partition] {
		if r == memberRack {
			return true
		}
	}
	return false
}

// validate rejects inputs an assignor cannot serve: duplicate member ids.
func validate(in Input) error {
	seen := make(map[string]bool, len(in.Members))
	for _, m := range in.Members {
		if seen[m.ID] {
			return fmt.Errorf("assignor input: duplicate member id %q", m.ID)
		}
		seen[m.ID] = true
	}
	return nil
}

func sortedMembers(in Input) []Member {
	ms := append([]Member(nil), in.Members...)
	sort.Slice(ms, func(i, j int) bool { return ms[i].ID < ms[j].ID })
	return ms
}

func subscribedSet(m Member, in Input) map[TopicID]bool {
	s := make(map[TopicID]bool, len(m.Subscribed))
	for _, t := range m.Subscribed {
		if _, ok := in.Topics[t]; ok {
			s[t] = true
		}
	}
	return s
}
