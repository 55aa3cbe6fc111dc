package consumer

import (
	"fmt"
	"sort"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/coordinator/group/assignor"
)

// ProtocolType is the protocol type of JoinGroup requests from consumers
// (the embedded consumer protocol); only such members can be part of a
// consumer group.
const ProtocolType = "consumer"

// maxConsumerProtocolVersion is the newest ConsumerProtocolAssignment
// version; assignments are written at the member's subscription version,
// capped to it, as Kafka does.
const maxConsumerProtocolVersion = 3

// decodeSubscription parses a ConsumerProtocolSubscription.
func decodeSubscription(metadata []byte) (*kmsg.ConsumerMemberMetadata, error) {
	var s kmsg.ConsumerMemberMetadata
	if err := s.ReadFrom(metadata); err != nil {
		return nil, fmt.Errorf("consumer protocol subscription: %w", err)
	}
	return &s, nil
}

// decodeAssignment parses a ConsumerProtocolAssignment.
func decodeAssignment(data []byte) (*kmsg.ConsumerMemberAssignment, error) {
	var a kmsg.ConsumerMemberAssignment
	if err := a.ReadFrom(data); err != nil {
		return nil, fmt.Errorf("consumer protocol assignment: %w", err)
	}
	return &a, nil
}

// protocolVersion is the version a consumer protocol subscription starts
// with (0 when it is too short to tell).
func protocolVersion(metadata []byte) int16 {
	if len(metadata) < 2 {
		return 0
	}
	v := int16(metadata[0])<<8 | int16(metadata[1])
	return min(max(v, 0), maxConsumerProtocolVersion)
}

// NamedPartitions is one topic's partitions, by topic name.
type NamedPartitions struct {
	Topic      string
	Partitions []int32
}

// EncodeAssignment serialises partitions as the ConsumerProtocolAssignment
// a classic member expects in SyncGroup, at the version of its
// subscription metadata.
func EncodeAssignment(subscription []byte, topics []NamedPartitions) []byte {
	a := kmsg.NewConsumerMemberAssignment()
	a.Version = protocolVersion(subscription)
	for _, t := range topics {
		at := kmsg.NewConsumerMemberAssignmentTopic()
		at.Topic, at.Partitions = t.Topic, t.Partitions
		a.Topics = append(a.Topics, at)
	}
	return a.AppendTo(nil)
}

// named resolves partitions to topic names, sorted by name then partition;
// partitions of topics missing from the image are left out.
func (g *Group) named(parts []tp) []NamedPartitions {
	byTopic := map[string][]int32{}
	for _, p := range parts {
		if t, ok := g.topicByID(p.Topic); ok {
			byTopic[t.Name] = append(byTopic[t.Name], p.Partition)
		}
	}
	out := make([]NamedPartitions, 0, len(byTopic))
	for name, ps := range byTopic {
		sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
		out = append(out, NamedPartitions{Topic: name, Partitions: ps})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Topic < out[j].Topic })
	return out
}

// byName resolves topic names to partitions by id; unknown topics are left
// out, as Kafka drops them when it converts a classic assignment.
func (g *Group) byNames(topics map[string][]int32) map[tp]int32 {
	out := map[tp]int32{}
	for name, ps := range topics {
		t, ok := g.topicByName(name)
		if !ok {
			continue
		}
		for _, p := range ps {
			out[tp{Topic: t.ID, Partition: p}] = 0
		}
	}
	return out
}

func keysOf(m map[tp]int32) []tp {
	out := make([]tp, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	assignor.SortTopicPartitions(out)
	return out
}

// ownedOf lists the partitions a subscription says the member owns.
func (g *Group) ownedOf(s *kmsg.ConsumerMemberMetadata) []tp {
	topics := map[string][]int32{}
	for _, o := range s.OwnedPartitions {
		topics[o.Topic] = append(topics[o.Topic], o.Partitions...)
	}
	owned := keysOf(g.byNames(topics))
	if owned == nil {
		owned = []tp{}
	}
	return owned
}
