package consumer

import (
	"fmt"
	"maps"
	"slices"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/clock"
)

// ClassicMember is one member of a classic group being turned into a
// consumer group.
type ClassicMember struct {
	MemberID             string
	InstanceID           *string
	ClientID, ClientHost string
	RebalanceTimeoutMs   int32
	SessionTimeoutMs     int32
	// Protocols are the member's supported protocols, in its preference order.
	Protocols []ClassicProtocol
	// Subscription is its metadata for the group's selected protocol.
	Subscription []byte
	// Assignment is what the leader assigned it in the last SyncGroup.
	Assignment []byte
}

// UpgradeError says why a classic group cannot become a consumer group; its
// message is the one Kafka answers with GROUP_ID_NOT_FOUND.
type UpgradeError struct {
	Group  string
	Reason string
	Err    error
}

func (e *UpgradeError) Error() string {
	return fmt.Sprintf("Cannot upgrade classic group %s to consumer group because %s.", e.Group, e.Reason)
}

// Reasons Kafka 4.3 gives for refusing an upgrade.
const (
	reasonMalformed     = "the embedded consumer protocol is malformed"
	reasonCustom        = "an unsupported custom assignor is in use. Please refer to the documentation or switch to a default assignor before re-attempting the upgrade"
	ReasonDisabled      = "online upgrade is disabled"
	ReasonNotConsumer   = "the group does not use the consumer embedded protocol"
	ReasonGroupTooLarge = "the group size exceeds the consumer group maximum size"
)

func (e *UpgradeError) Unwrap() error { return e.Err }

// FromClassic builds the consumer group a classic group with members turns
// into when a consumer-protocol member joins it (online upgrade), and the
// records that create it, in Kafka's order: every member's metadata (with
// its classic protocols and session timeout), the group epoch (the classic
// generation), every member's target assignment and the target epoch, then
// every member's current assignment. Each member keeps what the classic
// leader assigned it, as target and current assignment at the generation,
// and stays a classic-protocol member until it heartbeats with the consumer
// protocol. The caller writes a tombstone for the classic group before the
// records. A subscription or assignment that does not decode, or an
// assignment with user data (a custom client-side assignor), is an
// *UpgradeError; a member without an assignment yet (the classic group was
// rebalancing) starts with none.
func FromClassic(groupID string, generation int32, members []ClassicMember, cfg Config, clk clock.Clock, md Metadata) (*Group, []Record, error) {
	g, err := New(groupID, cfg, clk)
	if err != nil {
		return nil, nil, err
	}
	g.SetMetadata(md)
	type decoded struct {
		meta     MemberMetadataRecord
		assigned map[tp]int32
	}
	var ms []decoded
	for _, cm := range members {
		sub, err := decodeSubscription(cm.Subscription)
		if err != nil {
			return nil, nil, &UpgradeError{Group: groupID, Reason: reasonMalformed, Err: err}
		}
		// A member that joined during a rebalance has no assignment yet.
		asg := &kmsg.ConsumerMemberAssignment{}
		if len(cm.Assignment) > 0 {
			if asg, err = decodeAssignment(cm.Assignment); err != nil {
				return nil, nil, &UpgradeError{Group: groupID, Reason: reasonMalformed, Err: err}
			}
		}
		if len(asg.UserData) > 0 {
			return nil, nil, &UpgradeError{Group: groupID, Reason: reasonCustom}
		}
		topics := map[string][]int32{}
		for _, t := range asg.Topics {
			topics[t.Topic] = append(topics[t.Topic], t.Partitions...)
		}
		assigned := g.byNames(topics)
		for p := range assigned {
			assigned[p] = generation
		}
		names := slices.Clone(sub.Topics)
		slices.Sort(names)
		if names == nil {
			names = []string{}
		}
		meta := MemberMetadataRecord{Group: groupID, MemberID: cm.MemberID, InstanceID: clonePtr(cm.InstanceID),
			RackID: clonePtr(sub.Rack), ClientID: cm.ClientID, ClientHost: cm.ClientHost, SubscribedTopicNames: names,
			RebalanceTimeoutMs: cm.RebalanceTimeoutMs,
			Classic:            cloneClassic(&ClassicMemberMetadata{SessionTimeoutMs: cm.SessionTimeoutMs, SupportedProtocols: cm.Protocols})}
		ms = append(ms, decoded{meta: meta, assigned: assigned})
	}
	var out []Record
	for i := range ms {
		g.emit(&out, &ms[i].meta)
	}
	g.emit(&out, &GroupMetadataRecord{Group: groupID, Epoch: generation, MetadataHash: g.computeMetadataHash()})
	for _, d := range ms {
		g.emit(&out, &TargetAssignmentMemberRecord{Group: groupID, MemberID: d.meta.MemberID, Topics: epochless(d.assigned)})
	}
	// Kafka writes no assignment time for the converted target, so the next
	// assignment is due at once.
	g.emit(&out, &TargetAssignmentMetadataRecord{Group: groupID, AssignmentEpoch: generation})
	for _, d := range ms {
		g.emit(&out, g.currentAssignmentRecord(d.meta.MemberID, generation, generation, MemberStable, d.assigned, nil))
	}
	return g, out, nil
}

func epochless(parts map[tp]int32) []TopicPartitions {
	var out []TopicPartitions
	for _, t := range epochedTopics(parts) {
		out = append(out, TopicPartitions{TopicID: t.TopicID, Partitions: t.Partitions})
	}
	if out == nil {
		out = []TopicPartitions{}
	}
	return out
}

// Downgrade is the classic group a consumer group turned into when its
// last consumer-protocol member left: the runtime creates it (Stable at
// generation Epoch, protocol type "consumer", each member's assignment
// being its target assignment) and, if Rebalance, starts a rebalance so the
// members rejoin.
type Downgrade struct {
	Epoch   int32
	Members []DowngradedMember
	// Rebalance is false only when a static classic member took over the
	// last consumer-protocol member's instance id and the target assignment
	// is current: the classic group then starts Stable, as in Kafka.
	Rebalance bool
}

// DowngradedMember is a classic member carried over to the classic group.
type DowngradedMember struct {
	MemberID             string
	InstanceID           *string
	ClientID, ClientHost string
	RebalanceTimeoutMs   int32
	SessionTimeoutMs     int32
	Protocols            []ClassicProtocol
	Target               []NamedPartitions
}

// TakeDowngrade returns, once, the classic group this group turned into
// during the last call; the group itself is then empty and tombstoned, and
// the runtime must drop it.
func (g *Group) TakeDowngrade() *Downgrade {
	d := g.downgraded
	g.downgraded = nil
	return d
}

// canDowngradeWithout reports whether removing the leaving members (one
// of them at least using the consumer protocol) leaves only classic
// members, at least one, and the policy and group.max.size allow the group
// to become a classic group again.
func (g *Group) canDowngradeWithout(leaving map[string]bool) bool {
	consumerLeaves, remaining := false, 0
	for id, m := range g.members {
		switch {
		case leaving[id]:
			consumerLeaves = consumerLeaves || m.meta.Classic == nil
		case m.meta.Classic == nil:
			return false
		default:
			remaining++
		}
	}
	if !consumerLeaves || remaining == 0 || !g.cfg.MigrationPolicy.DowngradeAllowed() {
		return false
	}
	return g.cfg.ClassicMaxSize <= 0 || remaining <= g.cfg.ClassicMaxSize
}

// fence removes a member that left, expired or missed a deadline. When it
// was the last consumer-protocol member and a downgrade is allowed, the
// whole group is tombstoned instead and TakeDowngrade hands the classic
// group to the runtime.
func (g *Group) fence(id string, out *[]Record) {
	leaving := map[string]bool{id: true}
	if !g.canDowngradeWithout(leaving) {
		g.removeMember(id, out)
		return
	}
	g.toClassic(leaving, true, out)
}

// canDowngradeReplaced reports whether the group may become a classic
// group now that a classic static member replaced a consumer-protocol one:
// every member uses the classic protocol and the policy and group.max.size
// allow it.
func (g *Group) canDowngradeReplaced() bool {
	if g.numClassic() != len(g.members) || !g.cfg.MigrationPolicy.DowngradeAllowed() {
		return false
	}
	return g.cfg.ClassicMaxSize <= 0 || len(g.members) <= g.cfg.ClassicMaxSize
}

// toClassic tombstones the group and records, for TakeDowngrade, the
// classic group its members but the leaving ones form.
func (g *Group) toClassic(leaving map[string]bool, rebalance bool, out *[]Record) {
	d := &Downgrade{Epoch: g.epoch, Rebalance: rebalance}
	for _, mid := range g.sortedMemberIDs() {
		if leaving[mid] {
			continue
		}
		m := g.members[mid]
		c := cloneClassic(m.meta.Classic)
		d.Members = append(d.Members, DowngradedMember{MemberID: mid, InstanceID: clonePtr(m.meta.InstanceID),
			ClientID: m.meta.ClientID, ClientHost: m.meta.ClientHost, RebalanceTimeoutMs: m.meta.RebalanceTimeoutMs,
			SessionTimeoutMs: c.SessionTimeoutMs, Protocols: c.SupportedProtocols, Target: g.named(g.target[mid].Partitions())})
	}
	for _, rec := range g.tombstones() {
		g.emit(out, rec)
	}
	g.downgraded = d
}

// tombstones deletes the whole group, members included, in Kafka's order:
// current assignments, target assignments, the target epoch, member
// metadata, regular expressions, then the group epoch.
func (g *Group) tombstones() []Record {
	ids := g.sortedMemberIDs()
	var out []Record
	for _, id := range ids {
		out = append(out, &CurrentMemberAssignmentRecord{Group: g.id, MemberID: id, Tombstone: true})
	}
	for _, id := range slices.Sorted(maps.Keys(g.target)) {
		out = append(out, &TargetAssignmentMemberRecord{Group: g.id, MemberID: id, Tombstone: true})
	}
	out = append(out, &TargetAssignmentMetadataRecord{Group: g.id, Tombstone: true})
	for _, id := range ids {
		out = append(out, &MemberMetadataRecord{Group: g.id, MemberID: id, Tombstone: true})
	}
	for _, re := range slices.Sorted(maps.Keys(g.regexes)) {
		out = append(out, &RegularExpressionRecord{Group: g.id, RegularExpression: re, Tombstone: true})
	}
	return append(out, &GroupMetadataRecord{Group: g.id, Tombstone: true})
}
