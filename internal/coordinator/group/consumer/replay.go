package consumer

import (
	"fmt"
	"slices"

	"github.com/odradek/odradek/internal/coordinator/group/assignor"
)

// Replay applies one record to the group. The coordinator calls it for
// every consumer-group record of this group read back from the log, in log
// order, to rebuild the state after a failover. Members replayed get a fresh
// session deadline (now + session timeout), as Kafka reschedules timers on
// load.
func (g *Group) Replay(rec Record) error {
	if rec == nil {
		return fmt.Errorf("consumer group %q: replay of nil record", g.id)
	}
	if rec.GroupID() != g.id {
		return fmt.Errorf("consumer group %q: replay of a record of group %q", g.id, rec.GroupID())
	}
	switch r := rec.(type) {
	case *GroupMetadataRecord:
		if r.Tombstone {
			fresh := newGroup(g.id, g.cfg, g.clk)
			fresh.SetMetadata(g.md)
			*g = *fresh
			return nil
		}
		g.epoch, g.metadataHash = r.Epoch, r.MetadataHash
	case *MemberMetadataRecord:
		if r.Tombstone {
			if m, ok := g.members[r.MemberID]; ok {
				g.dropOwnership(r.MemberID, m)
				if m.meta.InstanceID != nil && g.static[*m.meta.InstanceID] == r.MemberID {
					delete(g.static, *m.meta.InstanceID)
				}
				delete(g.members, r.MemberID)
			}
			return nil
		}
		_, existed := g.members[r.MemberID]
		m := g.getOrCreate(r.MemberID)
		if m.meta.InstanceID != nil && g.static[*m.meta.InstanceID] == r.MemberID {
			delete(g.static, *m.meta.InstanceID)
		}
		m.meta = cloneMeta(*r)
		if !existed {
			m.sessionDeadline = g.clk.Now().Add(g.sessionTimeout(m))
		}
		if r.InstanceID != nil {
			g.static[*r.InstanceID] = r.MemberID
		}
	case *TargetAssignmentMetadataRecord:
		if r.Tombstone {
			g.assignmentEpoch, g.assignmentTime = 0, 0
			return nil
		}
		g.assignmentEpoch, g.assignmentTime = r.AssignmentEpoch, r.AssignmentTimestamp
	case *TargetAssignmentMemberRecord:
		if r.Tombstone {
			delete(g.target, r.MemberID)
			return nil
		}
		g.target[r.MemberID] = fromTopicPartitions(r.Topics)
	case *CurrentMemberAssignmentRecord:
		if r.Tombstone {
			if m, ok := g.members[r.MemberID]; ok {
				g.dropOwnership(r.MemberID, m)
				m.epoch, m.prevEpoch, m.state = 0, 0, MemberStable
				m.assigned, m.pending = map[tp]int32{}, map[tp]int32{}
			}
			return nil
		}
		m := g.getOrCreate(r.MemberID)
		g.dropOwnership(r.MemberID, m)
		m.epoch, m.prevEpoch, m.state = r.MemberEpoch, r.PreviousMemberEpoch, r.State
		m.assigned, m.pending = map[tp]int32{}, map[tp]int32{}
		if err := fillEpochs(m.assigned, r.AssignedPartitions, r.MemberEpoch); err != nil {
			return fmt.Errorf("consumer group %q member %q: assigned partitions: %w", g.id, r.MemberID, err)
		}
		if err := fillEpochs(m.pending, r.PartitionsPendingRevocation, r.MemberEpoch); err != nil {
			return fmt.Errorf("consumer group %q member %q: partitions pending revocation: %w", g.id, r.MemberID, err)
		}
		for p := range m.assigned {
			g.owner[p] = r.MemberID
		}
		for p := range m.pending {
			g.owner[p] = r.MemberID
		}
	case *RegularExpressionRecord:
		if r.Tombstone {
			delete(g.regexes, r.RegularExpression)
			delete(g.regexChecked, r.RegularExpression)
			return nil
		}
		c := *r
		c.Topics = slices.Clone(r.Topics)
		g.regexes[r.RegularExpression] = &c
		g.regexChecked[r.RegularExpression] = r.Version
	default:
		return fmt.Errorf("consumer group %q: replay of unknown record type %T", g.id, rec)
	}
	return nil
}

func (g *Group) getOrCreate(id string) *member {
	m, ok := g.members[id]
	if !ok {
		m = &member{
			meta:            MemberMetadataRecord{Group: g.id, MemberID: id, RebalanceTimeoutMs: -1},
			state:           MemberStable,
			assigned:        map[tp]int32{},
			pending:         map[tp]int32{},
			sessionDeadline: g.clk.Now().Add(g.cfg.SessionTimeout),
		}
		g.members[id] = m
	}
	return m
}

func (g *Group) dropOwnership(id string, m *member) {
	for p := range m.assigned {
		if g.owner[p] == id {
			delete(g.owner, p)
		}
	}
	for p := range m.pending {
		if g.owner[p] == id {
			delete(g.owner, p)
		}
	}
}

func cloneMeta(r MemberMetadataRecord) MemberMetadataRecord {
	r.SubscribedTopicNames = slices.Clone(r.SubscribedTopicNames)
	r.InstanceID = clonePtr(r.InstanceID)
	r.RackID = clonePtr(r.RackID)
	r.SubscribedTopicRegex = clonePtr(r.SubscribedTopicRegex)
	r.ServerAssignor = clonePtr(r.ServerAssignor)
	r.Classic = cloneClassic(r.Classic)
	return r
}

func cloneClassic(c *ClassicMemberMetadata) *ClassicMemberMetadata {
	if c == nil {
		return nil
	}
	out := &ClassicMemberMetadata{SessionTimeoutMs: c.SessionTimeoutMs}
	for _, p := range c.SupportedProtocols {
		out.SupportedProtocols = append(out.SupportedProtocols, ClassicProtocol{Name: p.Name, Metadata: slices.Clone(p.Metadata)})
	}
	return out
}

func clonePtr(s *string) *string {
	if s == nil {
		return nil
	}
	c := *s
	return &c
}

// currentAssignmentRecord snapshots m as a record.
func (g *Group) currentAssignmentRecord(id string, epoch, prev int32, state MemberState, assigned, pending map[tp]int32) *CurrentMemberAssignmentRecord {
	return &CurrentMemberAssignmentRecord{Group: g.id, MemberID: id, MemberEpoch: epoch, PreviousMemberEpoch: prev, State: state,
		AssignedPartitions: epochedTopics(assigned), PartitionsPendingRevocation: epochedTopics(pending)}
}

// epochedTopics lists partitions by topic, sorted, with their epochs.
func epochedTopics(parts map[tp]int32) []EpochedTopicPartitions {
	tps := make([]tp, 0, len(parts))
	for p := range parts {
		tps = append(tps, p)
	}
	assignor.SortTopicPartitions(tps)
	var out []EpochedTopicPartitions
	for _, p := range tps {
		n := len(out)
		if n == 0 || out[n-1].TopicID != p.Topic {
			out = append(out, EpochedTopicPartitions{TopicID: p.Topic})
			n++
		}
		t := &out[n-1]
		t.Partitions = append(t.Partitions, p.Partition)
		t.AssignmentEpochs = append(t.AssignmentEpochs, parts[p])
	}
	return out
}

// fillEpochs adds a record's partitions to dst; records without assignment
// epochs (written before KIP-1251) date every partition at the member epoch.
func fillEpochs(dst map[tp]int32, topics []EpochedTopicPartitions, memberEpoch int32) error {
	for _, t := range topics {
		if len(t.AssignmentEpochs) != 0 && len(t.AssignmentEpochs) != len(t.Partitions) {
			return fmt.Errorf("%d assignment epochs for %d partitions", len(t.AssignmentEpochs), len(t.Partitions))
		}
		for i, p := range t.Partitions {
			e := memberEpoch
			if len(t.AssignmentEpochs) != 0 {
				e = t.AssignmentEpochs[i]
			}
			dst[tp{Topic: t.TopicID, Partition: p}] = e
		}
	}
	return nil
}
