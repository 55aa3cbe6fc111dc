package consumer

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/coordinator/group/assignor"
)

// Client identifies the connection a request came from; ConsumerGroupDescribe
// reports it.
type Client struct {
	ID   string
	Host string
}

// Heartbeat handles one ConsumerGroupHeartbeat (v0-1) for this group. It
// returns the response (errors are carried in its ErrorCode) and the records
// to persist; the group has already applied them. The coordinator must make
// the response visible only once the records are durable, and must answer
// GROUP_ID_NOT_FOUND ("Consumer group <id> not found.") itself when no
// group exists and MemberEpoch != 0, and create the group (New) on a
// heartbeat with MemberEpoch 0.
func (g *Group) Heartbeat(req *kmsg.ConsumerGroupHeartbeatRequest, client Client) (*kmsg.ConsumerGroupHeartbeatResponse, []Record) {
	resp := kmsg.NewPtrConsumerGroupHeartbeatResponse()
	resp.Version = req.Version
	if err, msg := g.validate(req); err != nil {
		return errorResponse(resp, err, msg), nil
	}
	now := g.clk.Now()
	var out []Record
	var m *member
	var id string
	var err *kerr.Error
	var msg string
	switch {
	case req.MemberEpoch == LeaveGroupEpoch || req.MemberEpoch == LeaveGroupStaticEpoch:
		return g.leave(req, resp)
	case req.InstanceID != nil:
		id, m, err, msg = g.staticMember(req, client, &out)
	default:
		id, m, err, msg = g.dynamicMember(req)
	}
	if err != nil {
		return errorResponse(resp, err, msg), out
	}
	var owned []tp
	if req.Topics != nil {
		owned = make([]tp, 0)
		for _, t := range req.Topics {
			for _, p := range t.Partitions {
				owned = append(owned, tp{Topic: t.TopicID, Partition: p})
			}
		}
	}
	if m != nil && req.MemberEpoch != 0 {
		if err, msg := validateMemberEpoch(m, req.MemberEpoch, owned); err != nil {
			return errorResponse(resp, err, msg), out
		}
	}
	isNew := m == nil
	if isNew && g.cfg.MaxSize > 0 && len(g.members) >= g.cfg.MaxSize {
		return errorResponse(resp, kerr.GroupMaxSizeReached,
			fmt.Sprintf("The consumer group has reached its maximum capacity of %d members.", g.cfg.MaxSize)), out
	}

	// Member metadata: unset request fields keep their previous value.
	var prev MemberMetadataRecord
	if m != nil {
		prev = m.meta
	} else {
		prev = MemberMetadataRecord{Group: g.id, MemberID: id, RebalanceTimeoutMs: -1}
	}
	next := cloneMeta(prev)
	next.Tombstone = false
	next.InstanceID = clonePtr(req.InstanceID)
	if req.RackID != nil {
		next.RackID = clonePtr(req.RackID)
	}
	if req.RebalanceTimeoutMillis != -1 {
		next.RebalanceTimeoutMs = req.RebalanceTimeoutMillis
	}
	if req.SubscribedTopicNames != nil {
		next.SubscribedTopicNames = slices.Clone(req.SubscribedTopicNames)
		slices.Sort(next.SubscribedTopicNames)
	}
	if req.SubscribedTopicRegex != nil {
		next.SubscribedTopicRegex = clonePtr(req.SubscribedTopicRegex)
		if *next.SubscribedTopicRegex == "" {
			next.SubscribedTopicRegex = nil
		}
	}
	if req.ServerAssignor != nil {
		next.ServerAssignor = clonePtr(req.ServerAssignor)
	}
	next.ClientID, next.ClientHost = client.ID, client.Host
	// A member heartbeating with the consumer protocol no longer uses the
	// classic one.
	next.Classic = nil
	bump := isNew || !slices.Equal(prev.SubscribedTopicNames, next.SubscribedTopicNames) ||
		!eqPtr(prev.SubscribedTopicRegex, next.SubscribedTopicRegex) || !eqPtr(prev.RackID, next.RackID)
	if isNew || !metaEqual(prev, next) {
		g.emit(&out, &next)
		m = g.members[id]
	}
	m.sessionDeadline = now.Add(g.cfg.SessionTimeout)
	m.joinDeadline, m.syncDeadline = time.Time{}, time.Time{}

	if changed, hash := g.updateSubscriptions(&out); changed || bump {
		g.emit(&out, &GroupMetadataRecord{Group: g.id, Epoch: g.epoch + 1, MetadataHash: hash})
	}
	if g.assignmentDue(now) {
		if err := g.computeTarget(now, &out); err != nil {
			return errorResponse(resp, kerr.UnknownServerError, err.Error()), out
		}
	}

	before := snapshotAssigned(m)
	next2 := g.reconcile(id, m, owned)
	if !next2.equal(m) {
		g.emit(&out, g.currentAssignmentRecord(id, next2.epoch, next2.prevEpoch, next2.state, next2.assigned, next2.pending))
	}
	g.updateRebalanceDeadline(m, now)

	resp.MemberID = &id
	resp.MemberEpoch = m.epoch
	resp.HeartbeatIntervalMillis = int32(g.cfg.HeartbeatInterval.Milliseconds())
	full := req.MemberEpoch == 0 || (req.RebalanceTimeoutMillis != -1 &&
		(req.SubscribedTopicNames != nil || req.SubscribedTopicRegex != nil) && req.Topics != nil)
	// Like Kafka, an owned list that differs from the assignment does not by
	// itself resend the assignment: the member already has it.
	if full || !sameSet(before, m.assigned) {
		resp.Assignment = assignmentOf(m)
	}
	return resp, out
}

// updateSubscriptions refreshes regex resolutions and the subscribed topic
// metadata hash; it reports whether the group epoch must move and the hash
// the caller's GroupMetadataRecord must carry.
func (g *Group) updateSubscriptions(out *[]Record) (bool, int64) {
	changed := g.refreshRegexes(out)
	h := g.computeMetadataHash()
	return changed || h != g.metadataHash, h
}

// validate applies Kafka's request checks, in Kafka's order and wording.
func (g *Group) validate(req *kmsg.ConsumerGroupHeartbeatRequest) (*kerr.Error, string) {
	bad := func(msg string) (*kerr.Error, string) { return kerr.InvalidRequest, msg }
	switch {
	case req.Group == "" || strings.TrimSpace(req.Group) == "":
		return bad("GroupId can't be empty.")
	case req.Group != g.id:
		return bad(fmt.Sprintf("GroupId %s does not match group %s.", req.Group, g.id))
	case req.InstanceID != nil && *req.InstanceID == "":
		return bad("InstanceId can't be empty.")
	case req.RackID != nil && *req.RackID == "":
		return bad("RackId can't be empty.")
	case req.MemberEpoch < LeaveGroupStaticEpoch:
		return bad("MemberEpoch is invalid.")
	case req.Version >= 1 && req.MemberID == "":
		return bad("MemberId can't be empty.")
	case req.MemberEpoch != 0 && req.MemberID == "":
		return bad("MemberId can't be empty.")
	case req.MemberEpoch == LeaveGroupStaticEpoch && req.InstanceID == nil:
		return bad("InstanceId can't be null.")
	}
	if req.MemberEpoch == 0 {
		switch {
		case req.RebalanceTimeoutMillis == -1:
			return bad("RebalanceTimeoutMs must be provided in first request.")
		case req.Topics == nil || len(req.Topics) > 0:
			return bad("TopicPartitions must be empty when (re-)joining.")
		case req.SubscribedTopicNames == nil && req.SubscribedTopicRegex == nil:
			return bad("SubscribedTopicNames or SubscribedTopicRegex must be set in first request.")
		}
	}
	if req.ServerAssignor != nil && !slices.Contains(g.cfg.Assignors, *req.ServerAssignor) {
		return kerr.UnsupportedAssignor, fmt.Sprintf("ServerAssignor %s is not supported. Supported assignors: %s.",
			*req.ServerAssignor, strings.Join(g.cfg.Assignors, ", "))
	}
	if req.SubscribedTopicRegex != nil && *req.SubscribedTopicRegex != "" {
		if _, err := compileRegex(*req.SubscribedTopicRegex); err != nil {
			return kerr.InvalidRegularExpression, fmt.Sprintf("SubscribedTopicRegex `%s` is not a valid regular expression: %s.",
				*req.SubscribedTopicRegex, regexProblem(err))
		}
	}
	return nil, ""
}

// dynamicMember finds the member of a request without instance id; m is
// nil when the request joins as a new member.
func (g *Group) dynamicMember(req *kmsg.ConsumerGroupHeartbeatRequest) (string, *member, *kerr.Error, string) {
	id := req.MemberID
	if req.MemberEpoch == 0 {
		if id == "" {
			id = g.cfg.NewMemberID()
		}
		return id, g.members[id], nil, ""
	}
	m, ok := g.members[id]
	if !ok {
		return id, nil, kerr.UnknownMemberID, fmt.Sprintf("Member %s is not a member of group %s.", id, g.id)
	}
	return id, m, nil, ""
}

// staticMember finds or replaces the member holding the request's instance
// id. A new member taking over an instance id whose previous member left
// with epoch -2 inherits that member's epoch and assignment.
func (g *Group) staticMember(req *kmsg.ConsumerGroupHeartbeatRequest, client Client, out *[]Record) (string, *member, *kerr.Error, string) {
	inst := *req.InstanceID
	id := req.MemberID
	if req.MemberEpoch == 0 && id == "" {
		id = g.cfg.NewMemberID()
	}
	oldID, exists := g.static[inst]
	if req.MemberEpoch != 0 {
		if !exists {
			return id, nil, kerr.UnknownMemberID, fmt.Sprintf("Instance id %s is unknown.", inst)
		}
		if oldID != id {
			return id, nil, kerr.FencedInstanceID, fmt.Sprintf("Static member %s with instance id %s was fenced by member %s.", id, inst, oldID)
		}
		return id, g.members[id], nil, ""
	}
	if !exists {
		if m, taken := g.members[id]; taken && m.meta.InstanceID == nil {
			return id, nil, kerr.InvalidRequest, fmt.Sprintf("Member %s is already a dynamic member of group %s.", id, g.id)
		}
		return id, nil, nil, ""
	}
	old := g.members[oldID]
	// Kafka lets a member take over an instance id still held by a
	// classic-protocol member.
	if old.epoch != LeaveGroupStaticEpoch && old.meta.Classic == nil {
		return id, nil, kerr.UnreleasedInstanceID, fmt.Sprintf(
			"Static member %s with instance id %s cannot join the group because the instance id is owned by %s member.", id, inst, oldID)
	}
	// Replace: the new member takes over the old member's state.
	meta := cloneMeta(old.meta)
	meta.MemberID = id
	meta.ClientID, meta.ClientHost = client.ID, client.Host
	target, hasTarget := g.target[oldID]
	assigned := make(map[tp]int32, len(old.assigned))
	for p, e := range old.assigned {
		assigned[p] = e
	}
	pending := make(map[tp]int32, len(old.pending))
	for p, e := range old.pending {
		pending[p] = e
	}
	epoch, prev, state := old.prevEpoch, old.prevEpoch, old.state
	g.removeMemberRecords(oldID, out)
	g.emit(out, &meta)
	if hasTarget {
		g.emit(out, &TargetAssignmentMemberRecord{Group: g.id, MemberID: id, Topics: toTopicPartitions(target)})
	}
	g.emit(out, g.currentAssignmentRecord(id, epoch, prev, state, assigned, pending))
	return id, g.members[id], nil, ""
}

// validateMemberEpoch fences a member whose epoch is ahead of the group's
// view, or behind it unless it is the previous epoch and the member owns a
// subset of its assignment (the response carrying the bump was lost).
func validateMemberEpoch(m *member, epoch int32, owned []tp) (*kerr.Error, string) {
	if epoch > m.epoch {
		return kerr.FencedMemberEpoch, fmt.Sprintf("The consumer group member has a greater member epoch (%d) than the one known by the group coordinator (%d). The member must abandon all its partitions and rejoin.", epoch, m.epoch)
	}
	if epoch < m.epoch {
		if epoch != m.prevEpoch || owned == nil || !subsetOf(owned, m.assigned) {
			return kerr.FencedMemberEpoch, fmt.Sprintf("The consumer group member has a smaller member epoch (%d) than the one known by the group coordinator (%d). The member must abandon all its partitions and rejoin.", epoch, m.epoch)
		}
	}
	return nil, ""
}

// leave handles MemberEpoch -1 (leave) and -2 (static member leaving
// temporarily, keeping its assignment until its session expires).
func (g *Group) leave(req *kmsg.ConsumerGroupHeartbeatRequest, resp *kmsg.ConsumerGroupHeartbeatResponse) (*kmsg.ConsumerGroupHeartbeatResponse, []Record) {
	id := req.MemberID
	if req.InstanceID != nil {
		oldID, ok := g.static[*req.InstanceID]
		if !ok {
			return errorResponse(resp, kerr.UnknownMemberID, fmt.Sprintf("Instance id %s is unknown.", *req.InstanceID)), nil
		}
		if oldID != id {
			return errorResponse(resp, kerr.FencedInstanceID, fmt.Sprintf("Static member %s with instance id %s was fenced by member %s.", id, *req.InstanceID, oldID)), nil
		}
	}
	m, ok := g.members[id]
	if !ok {
		return errorResponse(resp, kerr.UnknownMemberID, fmt.Sprintf("Member %s is not a member of group %s.", id, g.id)), nil
	}
	var out []Record
	if req.MemberEpoch == LeaveGroupStaticEpoch {
		g.emit(&out, g.currentAssignmentRecord(id, LeaveGroupStaticEpoch, m.epoch, m.state, m.assigned, m.pending))
	} else {
		g.fence(id, &out)
	}
	resp.MemberID = &id
	resp.MemberEpoch = req.MemberEpoch
	return resp, out
}

// removeMember deletes a member and bumps the group epoch so that its
// partitions are reassigned.
func (g *Group) removeMember(id string, out *[]Record) {
	g.removeMemberRecords(id, out)
	_, hash := g.updateSubscriptions(out)
	g.emit(out, &GroupMetadataRecord{Group: g.id, Epoch: g.epoch + 1, MetadataHash: hash})
}

func (g *Group) removeMemberRecords(id string, out *[]Record) {
	g.emit(out, &CurrentMemberAssignmentRecord{Group: g.id, MemberID: id, Tombstone: true})
	if _, ok := g.target[id]; ok {
		g.emit(out, &TargetAssignmentMemberRecord{Group: g.id, MemberID: id, Tombstone: true})
	}
	g.emit(out, &MemberMetadataRecord{Group: g.id, MemberID: id, Tombstone: true})
}

// updateRebalanceDeadline starts the rebalance timeout when a member must
// revoke partitions at a new epoch, and clears it once it has.
func (g *Group) updateRebalanceDeadline(m *member, now time.Time) {
	if m.state != MemberUnrevokedPartitions {
		m.rebalanceDeadline = time.Time{}
		return
	}
	if m.rebalanceDeadline.IsZero() || m.rebalanceEpoch != m.epoch {
		m.rebalanceDeadline = now.Add(time.Duration(m.meta.RebalanceTimeoutMs) * time.Millisecond)
		m.rebalanceEpoch = m.epoch
	}
}

func errorResponse(resp *kmsg.ConsumerGroupHeartbeatResponse, err *kerr.Error, msg string) *kmsg.ConsumerGroupHeartbeatResponse {
	resp.ErrorCode = err.Code
	resp.ErrorMessage = &msg
	return resp
}

func assignmentOf(m *member) *kmsg.ConsumerGroupHeartbeatResponseAssignment {
	a := kmsg.NewConsumerGroupHeartbeatResponseAssignment()
	tps := make([]tp, 0, len(m.assigned))
	for p := range m.assigned {
		tps = append(tps, p)
	}
	for _, t := range toTopicPartitions(assignor.FromPartitions(tps)) {
		rt := kmsg.NewConsumerGroupHeartbeatResponseAssignmentTopic()
		rt.TopicID, rt.Partitions = t.TopicID, t.Partitions
		a.Topics = append(a.Topics, rt)
	}
	if a.Topics == nil {
		a.Topics = []kmsg.ConsumerGroupHeartbeatResponseAssignmentTopic{}
	}
	return &a
}

func snapshotAssigned(m *member) map[tp]int32 {
	c := make(map[tp]int32, len(m.assigned))
	for p, e := range m.assigned {
		c[p] = e
	}
	return c
}

func sameSet(a, b map[tp]int32) bool {
	if len(a) != len(b) {
		return false
	}
	for p := range a {
		if _, ok := b[p]; !ok {
			return false
		}
	}
	return true
}

func subsetOf(owned []tp, assigned map[tp]int32) bool {
	for _, p := range owned {
		if _, ok := assigned[p]; !ok {
			return false
		}
	}
	return true
}

func eqPtr(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func metaEqual(a, b MemberMetadataRecord) bool {
	return a.MemberID == b.MemberID && eqPtr(a.InstanceID, b.InstanceID) && eqPtr(a.RackID, b.RackID) &&
		a.ClientID == b.ClientID && a.ClientHost == b.ClientHost &&
		slices.Equal(a.SubscribedTopicNames, b.SubscribedTopicNames) &&
		eqPtr(a.SubscribedTopicRegex, b.SubscribedTopicRegex) && a.RebalanceTimeoutMs == b.RebalanceTimeoutMs &&
		eqPtr(a.ServerAssignor, b.ServerAssignor) && classicEqual(a.Classic, b.Classic)
}

func classicEqual(a, b *ClassicMemberMetadata) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.SessionTimeoutMs == b.SessionTimeoutMs && slices.EqualFunc(a.SupportedProtocols, b.SupportedProtocols,
		func(x, y ClassicProtocol) bool { return x.Name == y.Name && string(x.Metadata) == string(y.Metadata) })
}
