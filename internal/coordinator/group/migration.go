package group

import (
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/coordinator/group/consumer"
	"github.com/odradek/odradek/internal/coordinator/runtime"
)

// Online migration between the classic and the consumer protocol
// (KIP-848), as Kafka 4.3 does it under group.consumer.migration.policy:
//   - upgrade: the first consumer-protocol member joining a classic group
//     whose members speak the embedded consumer protocol turns it into a
//     consumer group that keeps the classic members and their assignments;
//   - downgrade: when the last consumer-protocol member of a consumer group
//     leaves (or expires, or is fenced) and classic members remain, the
//     group becomes a classic group again and rebalances.

// upgradeRefusal is why Kafka refuses to convert a classic group with
// members ("" when it may): the policy forbids it, the members do not use
// the consumer protocol, or they would not fit in group.consumer.max.size.
func (s *shard) upgradeRefusal(cg *classicGroup) string {
	switch {
	case !s.cfg.Consumer.MigrationPolicy.UpgradeAllowed():
		return consumer.ReasonDisabled
	case cg.protocolType != consumer.ProtocolType:
		return consumer.ReasonNotConsumer
	case s.cfg.Consumer.MaxSize > 0 && len(cg.members) > s.cfg.Consumer.MaxSize:
		return consumer.ReasonGroupTooLarge
	}
	return ""
}

// convertClassic builds the consumer group a classic group becomes, and the
// records doing it (the classic group's tombstone first). The shard is not
// changed: finishUpgrade does that once the joining member is accepted.
func (s *shard) convertClassic(cg *classicGroup) (*consumer.Group, []runtime.Record, error) {
	members := make([]consumer.ClassicMember, 0, len(cg.order))
	for _, id := range cg.order {
		m := cg.members[id]
		cm := consumer.ClassicMember{MemberID: m.id, ClientID: m.clientID, ClientHost: m.host,
			RebalanceTimeoutMs: int32(m.rebalanceTimeout.Milliseconds()), SessionTimeoutMs: int32(m.sessionTimeout.Milliseconds()),
			Subscription: m.metadataFor(cg.protocol), Assignment: m.assignment}
		if m.instanceID != "" {
			cm.InstanceID = kmsg.StringPtr(m.instanceID)
		}
		for _, p := range m.protocols {
			cm.Protocols = append(cm.Protocols, consumer.ClassicProtocol{Name: p.Name, Metadata: p.Metadata})
		}
		members = append(members, cm)
	}
	g, recs, err := consumer.FromClassic(cg.id, cg.generation, members, s.cfg.Consumer, s.clk, s.md)
	if err != nil {
		return nil, nil, err
	}
	return g, append([]runtime.Record{groupMetadataTombstone(cg.id)}, encodeConsumerRecords(recs)...), nil
}

// finishUpgrade retires the classic group: members waiting in JoinGroup or
// SyncGroup are told to rejoin, and its timers stop.
func (s *shard) finishUpgrade(t *runtime.Timers, cg *classicGroup) {
	t.Cancel(joinTimerKey(cg.id))
	t.Cancel(syncTimerKey(cg.id))
	for id, m := range cg.members {
		t.Cancel(heartbeatTimerKey(cg.id, id))
		failWaiters(m, kerr.RebalanceInProgress.Code)
	}
	for id := range cg.pending {
		t.Cancel(pendingMemberTimerKey(cg.id, id))
	}
	delete(s.groups, cg.id)
}

// upgradeError is the GROUP_ID_NOT_FOUND answer to a consumer-protocol
// member refused by a classic group.
func upgradeError(req *kmsg.ConsumerGroupHeartbeatRequest, err error) *kmsg.ConsumerGroupHeartbeatResponse {
	var ue *consumer.UpgradeError
	if errors.As(err, &ue) {
		return heartbeatError(req, kerr.GroupIDNotFound, ue.Error())
	}
	return heartbeatError(req, kerr.GroupIDNotFound, fmt.Sprintf("Cannot upgrade classic group %s to consumer group: %v.", req.Group, err))
}

// maybeDowngrade finishes a downgrade the consumer group made during the
// last call: the consumer group goes, a classic group with its remaining
// members takes its place (GroupMetadata record at the group epoch, each
// member assigned its target assignment) and, unless a static member's
// takeover left the assignment current, rebalances so they rejoin.
func (s *shard) maybeDowngrade(t *runtime.Timers, g *consumer.Group) []runtime.Record {
	d := g.TakeDowngrade()
	if d == nil {
		return nil
	}
	id := g.ID()
	t.Cancel(consumerTimerKey(id))
	delete(s.consumers, id)
	now := t.Now().UnixMilli()
	cg := newClassicGroup(id, now)
	for _, dm := range d.Members {
		m := &member{id: dm.MemberID, clientID: dm.ClientID, host: dm.ClientHost, protocolType: consumer.ProtocolType,
			rebalanceTimeout: msDur(dm.RebalanceTimeoutMs), sessionTimeout: msDur(dm.SessionTimeoutMs)}
		if m.rebalanceTimeout <= 0 {
			m.rebalanceTimeout = m.sessionTimeout
		}
		if dm.InstanceID != nil {
			m.instanceID = *dm.InstanceID
		}
		for _, p := range dm.Protocols {
			m.protocols = append(m.protocols, protocol{Name: p.Name, Metadata: p.Metadata})
		}
		cg.addMember(m)
	}
	cg.generation = d.Epoch
	cg.protocol = cg.selectProtocol()
	for i, dm := range d.Members {
		m := cg.members[cg.order[i]]
		m.assignment = consumer.EncodeAssignment(m.metadataFor(cg.protocol), dm.Target)
	}
	cg.transition(stateStable, now)
	s.groups[id] = cg
	recs := []runtime.Record{groupMetadataRecord(cg)}
	for _, m := range cg.members {
		s.scheduleHeartbeat(t, cg, m)
	}
	if !d.Rebalance {
		return recs
	}
	return append(recs, s.prepareRebalance(t, cg)...)
}
