package consumer

import (
	"fmt"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

// Classic-protocol members (JoinGroup, SyncGroup, Heartbeat, LeaveGroup)
// inside a consumer group, as Kafka 4.3 runs them: a JoinGroup is answered
// at once with the member's next step of reconciliation (generation = its
// member epoch, no leader, no member list), SyncGroup hands out the
// partitions the member may own now, and Heartbeat answers
// REBALANCE_IN_PROGRESS whenever the member must rejoin to revoke or get
// partitions. The owned partitions of the JoinGroup subscription play the
// role of a heartbeat's owned partitions.

// ClassicJoinRequest is a JoinGroup to this group.
type ClassicJoinRequest struct {
	Version              int16
	MemberID             string // "" when joining without an id
	InstanceID           *string
	ClientID, ClientHost string
	SessionTimeoutMs     int32
	RebalanceTimeoutMs   int32
	ProtocolType         string
	Protocols            []ClassicProtocol
}

// ClassicJoinResult is the JoinGroup answer: an error (with MemberID set for
// MEMBER_ID_REQUIRED), or the member id, generation and protocol name.
type ClassicJoinResult struct {
	Err        *kerr.Error
	Msg        string
	MemberID   string
	Generation int32
	Protocol   string
}

// IsClassicMember reports whether id is a member using the classic protocol.
func (g *Group) IsClassicMember(id string) bool {
	m, ok := g.members[id]
	return ok && m.meta.Classic != nil
}

// numClassic counts the classic-protocol members.
func (g *Group) numClassic() int {
	n := 0
	for _, m := range g.members {
		if m.meta.Classic != nil {
			n++
		}
	}
	return n
}

// SupportsClassicProtocols reports whether a JoinGroup with these protocols
// could join: protocol type "consumer" and, unless the group is empty, one
// protocol every classic member supports.
func (g *Group) SupportsClassicProtocols(protocolType string, ps []ClassicProtocol) bool {
	if protocolType != ProtocolType {
		return false
	}
	if len(g.members) == 0 {
		return len(ps) > 0
	}
	counts := map[string]int{}
	for _, m := range g.members {
		if m.meta.Classic == nil {
			continue
		}
		seen := map[string]bool{}
		for _, p := range m.meta.Classic.SupportedProtocols {
			if !seen[p.Name] {
				seen[p.Name] = true
				counts[p.Name]++
			}
		}
	}
	n := g.numClassic()
	for _, p := range ps {
		if counts[p.Name] == n {
			return true
		}
	}
	return false
}

// ClassicJoin handles a JoinGroup from a classic-protocol member. It returns
// the answer and the records to persist (the group has applied them).
func (g *Group) ClassicJoin(req ClassicJoinRequest) (ClassicJoinResult, []Record) {
	fail := func(e *kerr.Error, msg string) (ClassicJoinResult, []Record) {
		return ClassicJoinResult{Err: e, Msg: msg, MemberID: req.MemberID}, nil
	}
	unknown := req.MemberID == ""
	id := req.MemberID
	if unknown {
		id = g.cfg.NewMemberID()
	}
	if _, member := g.members[id]; g.cfg.MaxSize > 0 && len(g.members) >= g.cfg.MaxSize && (unknown || !member) {
		return fail(kerr.GroupMaxSizeReached, fmt.Sprintf("The consumer group has reached its maximum capacity of %d members.", g.cfg.MaxSize))
	}
	if !g.SupportsClassicProtocols(req.ProtocolType, req.Protocols) {
		return fail(kerr.InconsistentGroupProtocol, fmt.Sprintf("Member %s's protocols are not supported.", id))
	}
	if req.Version >= 4 && unknown && req.InstanceID == nil {
		// KIP-394: hand out the id; nothing is stored until it rejoins.
		return ClassicJoinResult{Err: kerr.MemberIDRequired, MemberID: id}, nil
	}
	sub, err := decodeSubscription(req.Protocols[0].Metadata)
	if err != nil {
		return fail(kerr.InconsistentGroupProtocol, fmt.Sprintf("Member %s's subscription is malformed: %v.", id, err))
	}
	var out []Record
	var m *member
	replacedConsumer := false
	if req.InstanceID != nil {
		if old, ok := g.static[*req.InstanceID]; ok && unknown && g.members[old].meta.Classic == nil {
			replacedConsumer = true
		}
		var e *kerr.Error
		var msg string
		if m, e, msg = g.classicStaticMember(id, *req.InstanceID, unknown, &out); e != nil {
			return fail(e, msg)
		}
	} else {
		m = g.members[id]
	}
	now := g.clk.Now()

	var prev MemberMetadataRecord
	if m != nil {
		prev = m.meta
	} else {
		prev = MemberMetadataRecord{Group: g.id, MemberID: id, RebalanceTimeoutMs: -1}
	}
	next := cloneMeta(prev)
	next.Tombstone = false
	next.InstanceID = clonePtr(req.InstanceID)
	if sub.Rack != nil && *sub.Rack != "" {
		next.RackID = clonePtr(sub.Rack)
	}
	if req.RebalanceTimeoutMs != -1 {
		next.RebalanceTimeoutMs = req.RebalanceTimeoutMs
	}
	next.SubscribedTopicNames = slices.Clone(sub.Topics)
	if next.SubscribedTopicNames == nil {
		next.SubscribedTopicNames = []string{}
	}
	slices.Sort(next.SubscribedTopicNames)
	next.ClientID, next.ClientHost = req.ClientID, req.ClientHost
	next.Classic = cloneClassic(&ClassicMemberMetadata{SessionTimeoutMs: req.SessionTimeoutMs, SupportedProtocols: req.Protocols})
	isNew := m == nil
	bump := isNew || !slices.Equal(prev.SubscribedTopicNames, next.SubscribedTopicNames) || !eqPtr(prev.RackID, next.RackID)
	if isNew || !metaEqual(prev, next) {
		g.emit(&out, &next)
		m = g.members[id]
	}
	if changed, hash := g.updateSubscriptions(&out); changed || bump {
		g.emit(&out, &GroupMetadataRecord{Group: g.id, Epoch: g.epoch + 1, MetadataHash: hash})
	}
	if g.assignmentDue(now) {
		if err := g.computeTarget(now, &out); err != nil {
			return fail(kerr.UnknownServerError, err.Error())
		}
	}
	if na := g.reconcile(id, m, g.ownedOf(sub)); !na.equal(m) {
		g.emit(&out, g.currentAssignmentRecord(id, na.epoch, na.prevEpoch, na.state, na.assigned, na.pending))
	}
	// Classic members have no rebalance timeout of their own: the join and
	// sync deadlines bound their rebalance instead.
	m.rebalanceDeadline = time.Time{}
	m.joinDeadline = time.Time{}
	m.sessionDeadline = now.Add(msDur(req.SessionTimeoutMs))
	m.syncDeadline = now.Add(msDur(m.meta.RebalanceTimeoutMs))
	res := ClassicJoinResult{MemberID: id, Generation: m.epoch, Protocol: req.Protocols[0].Name}
	if replacedConsumer && g.canDowngradeReplaced() {
		// The static member replaced the last consumer-protocol member: the
		// group is classic again, without a rebalance unless the target
		// assignment lags behind the group epoch.
		g.toClassic(nil, g.epoch > g.assignmentEpoch, &out)
	}
	return res, out
}

// classicStaticMember finds the member of a static JoinGroup. A join without
// member id takes over the instance id: the previous member (of either
// protocol) is replaced, its assignment carried over at epoch 0.
func (g *Group) classicStaticMember(id, inst string, unknown bool, out *[]Record) (*member, *kerr.Error, string) {
	oldID, exists := g.static[inst]
	if !unknown {
		if !exists {
			return nil, kerr.UnknownMemberID, fmt.Sprintf("Instance id %s is unknown.", inst)
		}
		if oldID != id {
			return nil, kerr.FencedInstanceID, fmt.Sprintf("Static member %s with instance id %s was fenced by member %s.", id, inst, oldID)
		}
		return g.members[id], nil, ""
	}
	if !exists {
		return nil, nil, ""
	}
	old := g.members[oldID]
	meta := cloneMeta(old.meta)
	meta.MemberID = id
	target, hasTarget := g.target[oldID]
	assigned := snapshotAssigned(old)
	pending := make(map[tp]int32, len(old.pending))
	for p, e := range old.pending {
		pending[p] = e
	}
	state := old.state
	g.removeMemberRecords(oldID, out)
	g.emit(out, &meta)
	if hasTarget {
		g.emit(out, &TargetAssignmentMemberRecord{Group: g.id, MemberID: id, Topics: toTopicPartitions(target)})
	}
	g.emit(out, g.currentAssignmentRecord(id, 0, 0, state, assigned, pending))
	return g.members[id], nil, ""
}

// classicMember finds the member of a SyncGroup, Heartbeat or LeaveGroup.
func (g *Group) classicMember(id string, inst *string) (*member, *kerr.Error, string) {
	if inst != nil {
		owner, ok := g.static[*inst]
		if !ok {
			return nil, kerr.UnknownMemberID, fmt.Sprintf("Member with instance id %s is not a member of group %s.", *inst, g.id)
		}
		if owner != id {
			return nil, kerr.FencedInstanceID, fmt.Sprintf("Static member %s with instance id %s was fenced by member %s.", id, *inst, owner)
		}
		id = owner
	}
	m, ok := g.members[id]
	if !ok {
		return nil, kerr.UnknownMemberID, fmt.Sprintf("Member %s is not a member of group %s.", id, g.id)
	}
	if m.meta.Classic == nil {
		return nil, kerr.UnknownMemberID, fmt.Sprintf("Member %s does not use the classic protocol.", id)
	}
	return m, nil, ""
}

// ClassicSyncRequest is a SyncGroup to this group.
type ClassicSyncRequest struct {
	MemberID     string
	InstanceID   *string
	Generation   int32
	ProtocolType *string
	Protocol     *string
}

// ClassicSyncResult is the SyncGroup answer: an error, or the member's
// assignment as a ConsumerProtocolAssignment.
type ClassicSyncResult struct {
	Err        *kerr.Error
	Msg        string
	Assignment []byte
}

// ClassicSync handles a SyncGroup: it hands the member the partitions it
// owns now (not those it must still revoke). It writes no records.
func (g *Group) ClassicSync(req ClassicSyncRequest) ClassicSyncResult {
	m, e, msg := g.classicMember(req.MemberID, req.InstanceID)
	if e != nil {
		return ClassicSyncResult{Err: e, Msg: msg}
	}
	if req.Generation != m.epoch {
		return ClassicSyncResult{Err: kerr.IllegalGeneration, Msg: fmt.Sprintf(
			"The request generation id %d is not equal to the member epoch %d of member %s.", req.Generation, m.epoch, m.meta.MemberID)}
	}
	if len(m.meta.Classic.SupportedProtocols) == 0 {
		// Only a corrupt member record can get here: JoinGroup needs a protocol.
		return ClassicSyncResult{Err: kerr.InconsistentGroupProtocol, Msg: fmt.Sprintf("Member %s has no protocol.", m.meta.MemberID)}
	}
	first := m.meta.Classic.SupportedProtocols[0]
	if req.ProtocolType != nil && *req.ProtocolType != ProtocolType {
		return ClassicSyncResult{Err: kerr.InconsistentGroupProtocol, Msg: fmt.Sprintf(
			"The protocol type %s from member %s request is not equal to the group protocol type %s.", *req.ProtocolType, m.meta.MemberID, ProtocolType)}
	}
	if req.Protocol != nil && *req.Protocol != first.Name {
		return ClassicSyncResult{Err: kerr.InconsistentGroupProtocol, Msg: fmt.Sprintf(
			"The protocol name %s from member %s request is not equal to the protocol name %s returned in the join response.", *req.Protocol, m.meta.MemberID, first.Name)}
	}
	now := g.clk.Now()
	// A member that already rejoined and must finish revoking gets its
	// partitions first; any other member behind the group epoch rejoins.
	if g.epoch > m.epoch && m.state != MemberUnrevokedPartitions {
		g.armJoinDeadline(m, now)
		return ClassicSyncResult{Err: kerr.RebalanceInProgress, Msg: fmt.Sprintf(
			"A new rebalance is triggered in group %s and member %s should rejoin to catch up.", g.id, m.meta.MemberID)}
	}
	m.syncDeadline = time.Time{}
	m.sessionDeadline = now.Add(msDur(m.meta.Classic.SessionTimeoutMs))
	return ClassicSyncResult{Assignment: EncodeAssignment(first.Metadata, g.named(keysOf(m.assigned)))}
}

// ClassicHeartbeat handles a Heartbeat: it keeps the member's session and
// answers REBALANCE_IN_PROGRESS when the member must rejoin: the group epoch
// moved past it, it must revoke partitions, or partitions it waits for
// were released.
func (g *Group) ClassicHeartbeat(memberID string, instanceID *string, generation int32) (*kerr.Error, string) {
	m, e, msg := g.classicMember(memberID, instanceID)
	if e != nil {
		return e, msg
	}
	if generation != m.epoch {
		return kerr.IllegalGeneration, fmt.Sprintf(
			"The request generation id %d is not equal to the member epoch %d of member %s.", generation, m.epoch, m.meta.MemberID)
	}
	now := g.clk.Now()
	m.sessionDeadline = now.Add(msDur(m.meta.Classic.SessionTimeoutMs))
	if m.epoch < g.epoch || m.state == MemberUnrevokedPartitions ||
		(m.state == MemberUnreleasedPartitions && !g.waitingOnUnreleased(m)) {
		g.armJoinDeadline(m, now)
		return kerr.RebalanceInProgress, ""
	}
	return nil, ""
}

// armJoinDeadline starts the rebalance timeout within which a member told
// to rejoin must send JoinGroup, unless it already runs.
func (g *Group) armJoinDeadline(m *member, now time.Time) {
	if m.joinDeadline.IsZero() {
		m.joinDeadline = now.Add(msDur(m.meta.RebalanceTimeoutMs))
	}
}

// waitingOnUnreleased reports whether a target partition of the member is
// still owned by another member.
func (g *Group) waitingOnUnreleased(m *member) bool {
	for _, p := range g.target[m.meta.MemberID].Partitions() {
		if _, have := m.assigned[p]; have {
			continue
		}
		if _, owned := g.owner[p]; owned {
			return true
		}
	}
	return false
}

// ClassicLeaveMember names one member of a LeaveGroup.
type ClassicLeaveMember struct {
	MemberID   string
	InstanceID *string
}

// ClassicLeaveResult is one member's LeaveGroup answer, naming the member
// as the request did.
type ClassicLeaveResult struct {
	MemberID   string
	InstanceID *string
	Err        *kerr.Error
}

// ClassicLeave removes members named by a LeaveGroup, of either protocol
// (Kafka 4.3 lets LeaveGroup remove consumer-protocol members, e.g. an
// admin removing static members by instance id), and bumps the group epoch
// once so their partitions are reassigned. When only classic members
// remain after a consumer-protocol member left and the policy allows it,
// the group turns into a classic group instead (see TakeDowngrade).
func (g *Group) ClassicLeave(leaving []ClassicLeaveMember) ([]ClassicLeaveResult, []Record) {
	var res []ClassicLeaveResult
	gone := map[string]bool{}
	var order []string
	for _, l := range leaving {
		r := ClassicLeaveResult{MemberID: l.MemberID, InstanceID: clonePtr(l.InstanceID)}
		id := l.MemberID
		if l.InstanceID != nil {
			owner, ok := g.static[*l.InstanceID]
			switch {
			case !ok:
				r.Err = kerr.UnknownMemberID
			case l.MemberID != "" && l.MemberID != owner:
				r.Err = kerr.FencedInstanceID
			default:
				id = owner
			}
		} else if _, ok := g.members[id]; !ok {
			r.Err = kerr.UnknownMemberID
		}
		if r.Err == nil && !gone[id] {
			gone[id] = true
			order = append(order, id)
		}
		res = append(res, r)
	}
	var out []Record
	if len(order) == 0 {
		return res, nil
	}
	if g.canDowngradeWithout(gone) {
		g.toClassic(gone, true, &out)
		return res, out
	}
	for _, id := range order {
		g.removeMemberRecords(id, &out)
	}
	_, hash := g.updateSubscriptions(&out)
	g.emit(&out, &GroupMetadataRecord{Group: g.id, Epoch: g.epoch + 1, MetadataHash: hash})
	return res, out
}

// sessionTimeout is the member's session timeout: its own for classic
// members, group.consumer.session.timeout.ms for the others.
func (g *Group) sessionTimeout(m *member) time.Duration {
	if m.meta.Classic != nil {
		return msDur(m.meta.Classic.SessionTimeoutMs)
	}
	return g.cfg.SessionTimeout
}

func msDur(ms int32) time.Duration { return time.Duration(ms) * time.Millisecond }
