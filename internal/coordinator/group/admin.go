package group

import (
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/coordinator/runtime"
)

// classicType is the group type of classic groups (ListGroups v5 types filter).
const classicType = "classic"

func (s *shard) listGroups(states, types map[string]bool) []kmsg.ListGroupsResponseGroup {
	ids := make([]string, 0, len(s.groups))
	for id := range s.groups {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []kmsg.ListGroupsResponseGroup
	for _, id := range ids {
		g := s.groups[id]
		if len(states) > 0 && !states[lower(g.state.String())] {
			continue
		}
		if len(types) > 0 && !types[classicType] {
			continue
		}
		lg := kmsg.NewListGroupsResponseGroup()
		lg.Group, lg.ProtocolType, lg.GroupState, lg.GroupType = id, g.protocolType, g.state.String(), classicType
		out = append(out, lg)
	}
	return out
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func (s *shard) describeGroup(id string, version int16) kmsg.DescribeGroupsResponseGroup {
	if s.consumers[id] != nil {
		return describeConsumerAsClassic(id, version)
	}
	dg := kmsg.NewDescribeGroupsResponseGroup()
	dg.Group = id
	g := s.groups[id]
	if g == nil {
		dg.State = stateDead.String()
		if version >= 6 {
			dg.ErrorCode = kerr.GroupIDNotFound.Code
			dg.ErrorMessage = kmsg.StringPtr("group " + id + " not found")
		}
		return dg
	}
	dg.State, dg.ProtocolType = g.state.String(), g.protocolType
	stable := g.state == stateStable
	if stable {
		dg.Protocol = g.protocol
	}
	for _, mid := range g.order {
		m := g.members[mid]
		dm := kmsg.NewDescribeGroupsResponseGroupMember()
		dm.MemberID, dm.ClientID, dm.ClientHost = m.id, m.clientID, m.host
		if m.instanceID != "" {
			dm.InstanceID = kmsg.StringPtr(m.instanceID)
		}
		// As Kafka, the assignment is shown in every state, the metadata
		// only once the group is stable.
		dm.MemberAssignment = m.assignment
		if stable {
			dm.ProtocolMetadata = m.metadataFor(g.protocol)
		}
		dg.Members = append(dg.Members, dm)
	}
	return dg
}

// deleteGroup removes an empty group (classic or consumer) and its offsets.
func (s *shard) deleteGroup(t *runtime.Timers, id string) (runtime.Result, *kerr.Error) {
	if cg := s.consumers[id]; cg != nil {
		return s.deleteConsumerGroup(t, cg)
	}
	g := s.groups[id]
	switch {
	case g == nil:
		return runtime.Result{}, kerr.GroupIDNotFound
	case g.state != stateEmpty:
		return runtime.Result{}, kerr.NonEmptyGroup
	}
	recs := s.offsetTombstones(id)
	recs = append(recs, groupMetadataTombstone(id))
	return runtime.Result{Records: recs, Apply: func() {
		delete(s.groups, id)
		delete(s.offsets, id)
	}}, nil
}
