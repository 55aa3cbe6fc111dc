package group

import (
	"encoding/binary"
	"fmt"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/coordinator/group/consumer"
	"github.com/odradek/odradek/internal/coordinator/runtime"
)

// Record key versions in __consumer_offsets, as Kafka writes them: 0 and 1
// are offset commits, 2 is classic group metadata. Higher versions belong
// to the consumer group protocol (KIP-848): those the consumer package
// knows are replayed into consumer groups, others are skipped.
const (
	keyOffsetCommit  = 1
	keyGroupMetadata = 2
	// Value versions written: OffsetCommitValue v3 (leader epoch, no
	// expire timestamp), GroupMetadataValue v3 (static members).
	offsetValueVersion = 3
	groupValueVersion  = 3
)

func offsetCommitRecord(group, topic string, partition int32, e *offsetEntry) runtime.Record {
	k := kmsg.OffsetCommitKey{Version: keyOffsetCommit, Group: group, Topic: topic, Partition: partition}
	r := runtime.Record{Key: k.AppendTo(nil)}
	if e != nil {
		v := kmsg.OffsetCommitValue{Version: offsetValueVersion, Offset: e.offset, LeaderEpoch: e.leaderEpoch, Metadata: e.metadata, CommitTimestamp: e.commitMs}
		r.Value = v.AppendTo(nil)
	}
	return r
}

func groupMetadataTombstone(group string) runtime.Record {
	k := kmsg.GroupMetadataKey{Version: keyGroupMetadata, Group: group}
	return runtime.Record{Key: k.AppendTo(nil)}
}

func groupMetadataRecord(g *classicGroup) runtime.Record {
	k := kmsg.GroupMetadataKey{Version: keyGroupMetadata, Group: g.id}
	v := kmsg.GroupMetadataValue{Version: groupValueVersion, ProtocolType: g.protocolType, Generation: g.generation, CurrentStateTimestamp: g.stateTime}
	if g.protocol != "" {
		v.Protocol = kmsg.StringPtr(g.protocol)
	}
	if g.leader != "" && len(g.members) > 0 {
		v.Leader = kmsg.StringPtr(g.leader)
	}
	for _, id := range g.order {
		m := g.members[id]
		vm := kmsg.NewGroupMetadataValueMember()
		vm.MemberID, vm.ClientID, vm.ClientHost = m.id, m.clientID, m.host
		if m.instanceID != "" {
			vm.InstanceID = kmsg.StringPtr(m.instanceID)
		}
		vm.RebalanceTimeoutMillis = int32(m.rebalanceTimeout.Milliseconds())
		vm.SessionTimeoutMillis = int32(m.sessionTimeout.Milliseconds())
		vm.Subscription = m.metadataFor(g.protocol)
		vm.Assignment = m.assignment
		v.Members = append(v.Members, vm)
	}
	return runtime.Record{Key: k.AppendTo(nil), Value: v.AppendTo(nil)}
}

// Replay rebuilds state from one record of the partition.
func (s *shard) Replay(offset int64, key, value []byte) error {
	if len(key) < 2 {
		return fmt.Errorf("record at offset %d has a %d-byte key", offset, len(key))
	}
	kv := int16(binary.BigEndian.Uint16(key))
	if consumer.IsConsumerGroupRecordType(kv) {
		return s.replayConsumer(offset, key, value)
	}
	switch kv {
	case 0, 1:
		var k kmsg.OffsetCommitKey
		if err := k.ReadFrom(key); err != nil {
			return fmt.Errorf("offset commit key at offset %d: %w", offset, err)
		}
		if value == nil {
			s.deleteOffset(k.Group, k.Topic, k.Partition)
			return nil
		}
		var v kmsg.OffsetCommitValue
		if err := v.ReadFrom(value); err != nil {
			return fmt.Errorf("offset commit value at offset %d: %w", offset, err)
		}
		e := &offsetEntry{offset: v.Offset, leaderEpoch: v.LeaderEpoch, metadata: v.Metadata, commitMs: v.CommitTimestamp, expireMs: -1}
		if v.Version == 1 {
			e.expireMs = v.ExpireTimestamp
		}
		if v.Version < 3 {
			e.leaderEpoch = -1
		}
		s.putOffset(k.Group, k.Topic, k.Partition, e)
		if s.groups[k.Group] == nil && s.consumers[k.Group] == nil {
			s.groups[k.Group] = newClassicGroup(k.Group, v.CommitTimestamp)
		}
	case 2:
		var k kmsg.GroupMetadataKey
		if err := k.ReadFrom(key); err != nil {
			return fmt.Errorf("group metadata key at offset %d: %w", offset, err)
		}
		if value == nil {
			// Only the group goes: its offsets have their own tombstones,
			// and a group that changed protocol keeps them.
			delete(s.groups, k.Group)
			return nil
		}
		var v kmsg.GroupMetadataValue
		if err := v.ReadFrom(value); err != nil {
			return fmt.Errorf("group metadata value at offset %d: %w", offset, err)
		}
		s.groups[k.Group] = groupFromRecord(k.Group, &v)
	}
	return nil
}

func groupFromRecord(id string, v *kmsg.GroupMetadataValue) *classicGroup {
	g := newClassicGroup(id, v.CurrentStateTimestamp)
	g.protocolType, g.generation = v.ProtocolType, v.Generation
	if v.Protocol != nil {
		g.protocol = *v.Protocol
	}
	for _, vm := range v.Members {
		m := &member{id: vm.MemberID, clientID: vm.ClientID, host: vm.ClientHost, protocolType: v.ProtocolType,
			rebalanceTimeout: msDur(vm.RebalanceTimeoutMillis), sessionTimeout: msDur(vm.SessionTimeoutMillis),
			protocols: []protocol{{Name: g.protocol, Metadata: vm.Subscription}}, assignment: vm.Assignment}
		if m.rebalanceTimeout <= 0 {
			m.rebalanceTimeout = m.sessionTimeout
		}
		if vm.InstanceID != nil {
			m.instanceID = *vm.InstanceID
		}
		g.addMember(m)
	}
	if v.Leader != nil {
		g.leader = *v.Leader
	}
	if len(g.members) > 0 {
		g.state = stateStable
	}
	return g
}
