package group

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/coordinator/runtime"
)

// member lookup shared by SyncGroup, Heartbeat and OffsetCommit: unknown
// ids are UNKNOWN_MEMBER_ID, a known group.instance.id under another member
// id (or a mismatching one) is FENCED_INSTANCE_ID.
func (g *classicGroup) checkMember(memberID string, instanceID *string) (*member, *kerr.Error) {
	m := g.members[memberID]
	if instanceID != nil && *instanceID != "" {
		if owner, ok := g.static[*instanceID]; ok && owner != memberID {
			return nil, kerr.FencedInstanceID
		}
	}
	if m == nil {
		return nil, kerr.UnknownMemberID
	}
	if instanceID != nil && m.instanceID != *instanceID {
		return nil, kerr.FencedInstanceID
	}
	return m, nil
}

func syncError(code int16) *kmsg.SyncGroupResponse {
	r := kmsg.NewPtrSyncGroupResponse()
	r.ErrorCode = code
	return r
}

// sync handles a SyncGroup; respond is called once, possibly later (after
// the leader's assignment is committed).
func (s *shard) sync(t *runtime.Timers, req *kmsg.SyncGroupRequest, respond func(*kmsg.SyncGroupResponse)) runtime.Result {
	g := s.groups[req.Group]
	fail := func(e *kerr.Error) runtime.Result { respond(syncError(e.Code)); return runtime.Result{} }
	if req.Group == "" {
		return fail(kerr.InvalidGroupID)
	}
	if req.Version >= 5 && (req.ProtocolType == nil || req.Protocol == nil) {
		// v5 made both required (KIP-559); Kafka refuses before
		// looking at the group.
		return fail(kerr.InconsistentGroupProtocol)
	}
	if cg := s.consumers[req.Group]; cg != nil && !cg.IsEmpty() {
		return s.syncConsumer(t, cg, req, respond)
	}
	if g == nil || g.state == stateEmpty || g.state == stateDead {
		return fail(kerr.UnknownMemberID)
	}
	m, kerrr := g.checkMember(req.MemberID, req.InstanceID)
	if kerrr != nil {
		return fail(kerrr)
	}
	if req.Generation != g.generation {
		return fail(kerr.IllegalGeneration)
	}
	if (req.ProtocolType != nil && *req.ProtocolType != g.protocolType) || (req.Protocol != nil && *req.Protocol != g.protocol) {
		return fail(kerr.InconsistentGroupProtocol)
	}
	switch g.state {
	case statePreparingRebalance:
		return fail(kerr.RebalanceInProgress)
	case stateStable:
		s.scheduleHeartbeat(t, g, m)
		respond(s.syncResponse(g, m))
		return runtime.Result{}
	}
	// CompletingRebalance: wait for the leader's assignment.
	s.scheduleHeartbeat(t, g, m)
	if m.syncWaiter != nil {
		m.syncWaiter(syncError(kerr.RebalanceInProgress.Code))
	}
	m.syncWaiter = respond
	if m.id != g.leader {
		return runtime.Result{}
	}
	assign := map[string][]byte{}
	for _, a := range req.GroupAssignment {
		assign[a.MemberID] = a.MemberAssignment
	}
	for _, id := range g.order {
		g.members[id].assignment = assign[id]
	}
	t.Cancel(syncTimerKey(g.id))
	g.transition(stateStable, t.Now().UnixMilli())
	rec := groupMetadataRecord(g)
	type answer struct {
		w func(*kmsg.SyncGroupResponse)
		r *kmsg.SyncGroupResponse
	}
	var answers []answer
	for _, id := range g.order {
		mm := g.members[id]
		if mm.syncWaiter != nil {
			answers = append(answers, answer{mm.syncWaiter, s.syncResponse(g, mm)})
			mm.syncWaiter = nil
		}
	}
	return runtime.Result{Records: []runtime.Record{rec}, Done: func(err error) {
		for _, a := range answers {
			if err != nil {
				a.r = syncError(kerr.CoordinatorNotAvailable.Code)
				if ke, ok := asKerr(err); ok {
					a.r.ErrorCode = ke.Code
				}
			}
			a.w(a.r)
		}
	}}
}

func (s *shard) syncResponse(g *classicGroup, m *member) *kmsg.SyncGroupResponse {
	r := kmsg.NewPtrSyncGroupResponse()
	r.ProtocolType = kmsg.StringPtr(g.protocolType)
	r.Protocol = kmsg.StringPtr(g.protocol)
	r.MemberAssignment = m.assignment
	if r.MemberAssignment == nil {
		r.MemberAssignment = []byte{}
	}
	return r
}

func (s *shard) heartbeat(t *runtime.Timers, req *kmsg.HeartbeatRequest) *kerr.Error {
	g := s.groups[req.Group]
	if req.Group == "" {
		return kerr.InvalidGroupID
	}
	if cg := s.consumers[req.Group]; cg != nil && !cg.IsEmpty() {
		return s.heartbeatConsumer(t, cg, req)
	}
	if g == nil || g.state == stateEmpty || g.state == stateDead {
		return kerr.UnknownMemberID
	}
	m, e := g.checkMember(req.MemberID, req.InstanceID)
	if e != nil {
		return e
	}
	if req.Generation != g.generation {
		return kerr.IllegalGeneration
	}
	s.scheduleHeartbeat(t, g, m)
	if g.state == statePreparingRebalance {
		return kerr.RebalanceInProgress
	}
	return nil
}

// leave removes members: by member id (v0-2, and v3+ without an instance
// id) or by group.instance.id (v3+, KIP-345).
func (s *shard) leave(t *runtime.Timers, req *kmsg.LeaveGroupRequest, resp *kmsg.LeaveGroupResponse) []runtime.Record {
	g := s.groups[req.Group]
	if req.Group == "" {
		resp.ErrorCode = kerr.InvalidGroupID.Code
		return nil
	}
	leaving := req.Members
	if req.Version < 3 {
		leaving = []kmsg.LeaveGroupRequestMember{{MemberID: req.MemberID}}
	}
	if cg := s.consumers[req.Group]; cg != nil && g == nil {
		return s.leaveConsumer(t, cg, leaving, req, resp)
	}
	if g == nil {
		// As Kafka: each member is unknown; from v3 that is per member
		// and the request itself succeeds.
		if req.Version < 3 {
			resp.ErrorCode = kerr.UnknownMemberID.Code
			return nil
		}
		for _, l := range leaving {
			rm := kmsg.NewLeaveGroupResponseMember()
			rm.MemberID, rm.InstanceID, rm.ErrorCode = l.MemberID, l.InstanceID, kerr.UnknownMemberID.Code
			resp.Members = append(resp.Members, rm)
		}
		return nil
	}
	var recs []runtime.Record
	for _, l := range leaving {
		rm := kmsg.NewLeaveGroupResponseMember()
		rm.MemberID, rm.InstanceID = l.MemberID, l.InstanceID
		id := l.MemberID
		var code int16
		switch {
		case l.InstanceID != nil:
			owner, ok := g.static[*l.InstanceID]
			switch {
			case !ok:
				code = kerr.UnknownMemberID.Code
			case l.MemberID != "" && l.MemberID != owner:
				code = kerr.FencedInstanceID.Code
			default:
				id = owner
			}
		case g.pending[id]:
			delete(g.pending, id)
			t.Cancel(pendingMemberTimerKey(g.id, id))
			recs = append(recs, s.maybeCompleteJoin(t, g)...)
			id = ""
		case g.members[id] == nil:
			code = kerr.UnknownMemberID.Code
		}
		if code == 0 && id != "" {
			recs = append(recs, s.removeAndRebalance(t, g, id)...)
		}
		rm.ErrorCode = code
		if req.Version < 3 {
			resp.ErrorCode = code
		} else {
			resp.Members = append(resp.Members, rm)
		}
	}
	return recs
}
