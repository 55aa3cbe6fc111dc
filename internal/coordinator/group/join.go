package group

import (
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/coordinator/group/consumer"
	"github.com/odradek/odradek/internal/coordinator/runtime"
)

func joinTimerKey(g string) string             { return "join/" + g }
func syncTimerKey(g string) string             { return "sync/" + g }
func heartbeatTimerKey(g, m string) string     { return "hb/" + g + "/" + m }
func pendingMemberTimerKey(g, m string) string { return "pending/" + g + "/" + m }

func joinError(req *kmsg.JoinGroupRequest, code int16, memberID string) *kmsg.JoinGroupResponse {
	r := req.ResponseKind().(*kmsg.JoinGroupResponse)
	r.ErrorCode, r.MemberID, r.Generation = code, memberID, -1
	return r
}

// join handles a JoinGroup. respond is called exactly once, now, when the
// rebalance completes, or (for a consumer group) once the records are
// committed; it must not block. An empty consumer group with the same id
// gives way to the classic group; one with members takes the member in
// as a classic-protocol member, unless group.consumer.migration.policy is
// disabled (then INCONSISTENT_GROUP_PROTOCOL, as Kafka 4.3 answers).
func (s *shard) join(t *runtime.Timers, req *kmsg.JoinGroupRequest, clientID, host string, respond func(*kmsg.JoinGroupResponse)) runtime.Result {
	var pre []runtime.Record
	if cg := s.consumers[req.Group]; cg != nil {
		if !cg.IsEmpty() {
			if s.cfg.Consumer.MigrationPolicy == consumer.MigrationDisabled {
				respond(joinError(req, kerr.InconsistentGroupProtocol.Code, ""))
				return runtime.Result{}
			}
			session := msDur(req.SessionTimeoutMillis)
			if session < s.cfg.MinSessionTimeout || session > s.cfg.MaxSessionTimeout {
				respond(joinError(req, kerr.InvalidSessionTimeout.Code, req.MemberID))
				return runtime.Result{}
			}
			return s.joinConsumer(t, cg, req, clientID, host, respond)
		}
		tombs, err := cg.DeleteRecords()
		if err != nil {
			respond(joinError(req, kerr.InconsistentGroupProtocol.Code, req.MemberID))
			return runtime.Result{}
		}
		pre = encodeConsumerRecords(tombs)
		t.Cancel(consumerTimerKey(req.Group))
		delete(s.consumers, req.Group)
	}
	return runtime.Result{Records: append(pre, s.joinClassic(t, req, clientID, host, respond)...)}
}

func (s *shard) joinClassic(t *runtime.Timers, req *kmsg.JoinGroupRequest, clientID, host string, respond func(*kmsg.JoinGroupResponse)) []runtime.Record {
	now := t.Now().UnixMilli()
	fail := func(code int16) []runtime.Record { respond(joinError(req, code, req.MemberID)); return nil }
	session := msDur(req.SessionTimeoutMillis)
	rebalance := msDur(req.RebalanceTimeoutMillis)
	if req.Version == 0 || req.RebalanceTimeoutMillis <= 0 {
		rebalance = session
	}
	switch {
	case req.Group == "":
		return fail(kerr.InvalidGroupID.Code)
	case session < s.cfg.MinSessionTimeout || session > s.cfg.MaxSessionTimeout:
		return fail(kerr.InvalidSessionTimeout.Code)
	case req.ProtocolType == "" || len(req.Protocols) == 0:
		return fail(kerr.InconsistentGroupProtocol.Code)
	}
	instanceID := ""
	if req.InstanceID != nil {
		instanceID = *req.InstanceID
	}
	g := s.groups[req.Group]
	if g == nil {
		if req.MemberID != "" {
			return fail(kerr.UnknownMemberID.Code)
		}
		g = newClassicGroup(req.Group, now)
		s.groups[req.Group] = g
	}
	if g.state == stateDead {
		return fail(kerr.CoordinatorNotAvailable.Code)
	}
	protos := make([]protocol, len(req.Protocols))
	for i, p := range req.Protocols {
		protos[i] = protocol{Name: p.Name, Metadata: p.Metadata}
	}
	if !g.supportsProtocols(req.ProtocolType, protos) {
		return fail(kerr.InconsistentGroupProtocol.Code)
	}
	mk := func(id string) *member {
		return &member{id: id, instanceID: instanceID, clientID: clientID, host: host, rebalanceTimeout: rebalance,
			sessionTimeout: session, protocolType: req.ProtocolType, protocols: protos, joinWaiter: respond}
	}

	if req.MemberID == "" {
		if len(g.members)+len(g.pending) >= s.cfg.MaxSize && (instanceID == "" || g.static[instanceID] == "") {
			return fail(kerr.GroupMaxSizeReached.Code)
		}
		newID := s.cfg.NewMemberID(clientID)
		if instanceID != "" {
			if oldID, ok := g.static[instanceID]; ok {
				// A restarted static member takes over its old
				// identity; the old member id is fenced.
				old := g.members[oldID]
				failWaiters(old, kerr.FencedInstanceID.Code)
				t.Cancel(heartbeatTimerKey(g.id, oldID))
				g.replaceStatic(old, newID)
				old.clientID, old.host = clientID, host
				return s.joinKnown(t, g, old, protos, rebalance, session, true, respond)
			}
			return s.addMemberAndRebalance(t, g, mk(newID))
		}
		if req.Version >= 4 {
			// KIP-394: hand out the id and ask the client to
			// join again with it.
			g.pending[newID] = true
			t.Schedule(pendingMemberTimerKey(g.id, newID), session, func(rs runtime.Shard, t *runtime.Timers) (runtime.Result, error) {
				sh := rs.(*shard)
				if gg := sh.groups[g.id]; gg != nil && gg.pending[newID] {
					delete(gg.pending, newID)
					return runtime.Result{Records: sh.maybeCompleteJoin(t, gg)}, nil
				}
				return runtime.Result{}, nil
			})
			respond(joinError(req, kerr.MemberIDRequired.Code, newID))
			return nil
		}
		return s.addMemberAndRebalance(t, g, mk(newID))
	}

	if g.pending[req.MemberID] {
		delete(g.pending, req.MemberID)
		t.Cancel(pendingMemberTimerKey(g.id, req.MemberID))
		return s.addMemberAndRebalance(t, g, mk(req.MemberID))
	}
	m := g.members[req.MemberID]
	if m == nil {
		if instanceID != "" && g.static[instanceID] != "" {
			return fail(kerr.FencedInstanceID.Code)
		}
		return fail(kerr.UnknownMemberID.Code)
	}
	if m.instanceID != instanceID {
		return fail(kerr.FencedInstanceID.Code)
	}
	m.clientID, m.host = clientID, host
	return s.joinKnown(t, g, m, protos, rebalance, session, false, respond)
}

// joinKnown handles a join from an existing member. A restarted static
// member (replaced) with unchanged protocols gets the current generation
// without a rebalance, even as leader: it is told to skip the assignment.
func (s *shard) joinKnown(t *runtime.Timers, g *classicGroup, m *member, protos []protocol, rebalance, session time.Duration, replaced bool, respond func(*kmsg.JoinGroupResponse)) []runtime.Record {
	changed := !sameProtocols(m.protocols, protos)
	update := func() {
		m.protocols, m.rebalanceTimeout, m.sessionTimeout = protos, rebalance, session
		m.replaceJoinWaiter(respond)
	}
	switch g.state {
	case statePreparingRebalance:
		update()
		s.scheduleHeartbeat(t, g, m)
		return s.maybeCompleteJoin(t, g)
	case stateCompletingRebalance, stateStable:
		if !changed && (g.state == stateCompletingRebalance || m.id != g.leader || replaced) {
			s.scheduleHeartbeat(t, g, m)
			r := s.joinResponse(g, m)
			r.SkipAssignment = replaced && m.id == g.leader && g.state == stateStable
			respond(r)
			return nil
		}
		update()
		return s.prepareRebalance(t, g)
	}
	respond(joinError(&kmsg.JoinGroupRequest{}, kerr.UnknownMemberID.Code, m.id))
	return nil
}

// replaceJoinWaiter answers an earlier JoinGroup of the same member that
// is still waiting (the client gave up on it and sent another) so that no
// request is left hanging.
func (m *member) replaceJoinWaiter(next func(*kmsg.JoinGroupResponse)) {
	if old := m.joinWaiter; old != nil {
		r := kmsg.NewPtrJoinGroupResponse()
		r.ErrorCode, r.MemberID, r.Generation = kerr.RebalanceInProgress.Code, m.id, -1
		old(r)
	}
	m.joinWaiter = next
}

func (s *shard) addMemberAndRebalance(t *runtime.Timers, g *classicGroup, m *member) []runtime.Record {
	g.addMember(m)
	if g.initialDelay {
		g.newMemberAdded = true
	}
	s.scheduleHeartbeat(t, g, m)
	if g.state == statePreparingRebalance {
		return s.maybeCompleteJoin(t, g)
	}
	return s.prepareRebalance(t, g)
}

// prepareRebalance starts a join phase. The first rebalance of an empty
// group waits group.initial.rebalance.delay.ms (extended while members keep
// arriving, up to the rebalance timeout) so a starting fleet of consumers
// does not rebalance once per member.
func (s *shard) prepareRebalance(t *runtime.Timers, g *classicGroup) []runtime.Record {
	if g.state == stateCompletingRebalance {
		for _, m := range g.members {
			m.assignment = nil
			if m.syncWaiter != nil {
				r := kmsg.NewPtrSyncGroupResponse()
				r.ErrorCode = kerr.RebalanceInProgress.Code
				m.syncWaiter(r)
				m.syncWaiter = nil
				// Answered now: its session runs from here.
				s.scheduleHeartbeat(t, g, m)
			}
		}
	}
	t.Cancel(syncTimerKey(g.id))
	wasEmpty := g.state == stateEmpty
	g.transition(statePreparingRebalance, t.Now().UnixMilli())
	timeout := g.maxRebalanceTimeout()
	if wasEmpty && len(g.members) > 0 {
		delay := min(s.cfg.InitialRebalanceDelay, timeout)
		g.initialDelay, g.newMemberAdded, g.delayRemaining = true, false, timeout-delay
		s.scheduleInitialJoin(t, g.id, delay)
		return nil
	}
	g.initialDelay = false
	t.Schedule(joinTimerKey(g.id), timeout, func(rs runtime.Shard, t *runtime.Timers) (runtime.Result, error) {
		sh := rs.(*shard)
		if gg := sh.groups[g.id]; gg != nil && gg.state == statePreparingRebalance {
			return runtime.Result{Records: sh.completeJoin(t, gg)}, nil
		}
		return runtime.Result{}, nil
	})
	return s.maybeCompleteJoin(t, g)
}

func (s *shard) scheduleInitialJoin(t *runtime.Timers, id string, delay time.Duration) {
	t.Schedule(joinTimerKey(id), delay, func(rs runtime.Shard, t *runtime.Timers) (runtime.Result, error) {
		sh := rs.(*shard)
		g := sh.groups[id]
		if g == nil || g.state != statePreparingRebalance {
			return runtime.Result{}, nil
		}
		if g.newMemberAdded && g.delayRemaining > 0 {
			d := min(sh.cfg.InitialRebalanceDelay, g.delayRemaining)
			g.newMemberAdded, g.delayRemaining = false, g.delayRemaining-d
			sh.scheduleInitialJoin(t, id, d)
			return runtime.Result{}, nil
		}
		g.initialDelay = false
		return runtime.Result{Records: sh.completeJoin(t, g)}, nil
	})
}

func (s *shard) maybeCompleteJoin(t *runtime.Timers, g *classicGroup) []runtime.Record {
	if g.state != statePreparingRebalance || g.initialDelay || !g.allJoined() {
		return nil
	}
	t.Cancel(joinTimerKey(g.id))
	return s.completeJoin(t, g)
}

// completeJoin ends the join phase: members that did not rejoin are
// removed, a new generation starts and every joined member is answered.
func (s *shard) completeJoin(t *runtime.Timers, g *classicGroup) []runtime.Record {
	now := t.Now().UnixMilli()
	for _, id := range append([]string(nil), g.order...) {
		if m := g.members[id]; m.joinWaiter == nil {
			t.Cancel(heartbeatTimerKey(g.id, id))
			g.removeMember(id)
		}
	}
	g.generation++
	if len(g.members) == 0 {
		g.protocol = ""
		g.transition(stateEmpty, now)
		return []runtime.Record{groupMetadataRecord(g)}
	}
	g.protocol = g.selectProtocol()
	g.transition(stateCompletingRebalance, now)
	for _, id := range g.order {
		m := g.members[id]
		w := m.joinWaiter
		m.joinWaiter = nil
		s.scheduleHeartbeat(t, g, m)
		w(s.joinResponse(g, m))
	}
	gen := g.generation
	t.Schedule(syncTimerKey(g.id), g.maxRebalanceTimeout(), func(rs runtime.Shard, t *runtime.Timers) (runtime.Result, error) {
		sh := rs.(*shard)
		gg := sh.groups[g.id]
		if gg == nil || gg.state != stateCompletingRebalance || gg.generation != gen {
			return runtime.Result{}, nil
		}
		// Members that never sent SyncGroup are gone.
		for _, id := range append([]string(nil), gg.order...) {
			if gg.members[id].syncWaiter == nil {
				t.Cancel(heartbeatTimerKey(gg.id, id))
				gg.removeMember(id)
			}
		}
		return runtime.Result{Records: sh.prepareRebalance(t, gg)}, nil
	})
	return nil
}

func (s *shard) joinResponse(g *classicGroup, m *member) *kmsg.JoinGroupResponse {
	r := kmsg.NewPtrJoinGroupResponse()
	r.Generation = g.generation
	r.ProtocolType = kmsg.StringPtr(g.protocolType)
	r.Protocol = kmsg.StringPtr(g.protocol)
	r.LeaderID = g.leader
	r.MemberID = m.id
	if m.id == g.leader {
		for _, id := range g.order {
			o := g.members[id]
			jm := kmsg.NewJoinGroupResponseMember()
			jm.MemberID = o.id
			if o.instanceID != "" {
				jm.InstanceID = kmsg.StringPtr(o.instanceID)
			}
			jm.ProtocolMetadata = o.metadataFor(g.protocol)
			r.Members = append(r.Members, jm)
		}
	}
	return r
}

// scheduleHeartbeat (re)starts a member's session timer. A member waiting
// in JoinGroup or SyncGroup is kept alive, as Kafka does.
func (s *shard) scheduleHeartbeat(t *runtime.Timers, g *classicGroup, m *member) {
	gid, mid := g.id, m.id
	t.Schedule(heartbeatTimerKey(gid, mid), m.sessionTimeout, func(rs runtime.Shard, t *runtime.Timers) (runtime.Result, error) {
		sh := rs.(*shard)
		gg := sh.groups[gid]
		if gg == nil || gg.members[mid] == nil {
			return runtime.Result{}, nil
		}
		mm := gg.members[mid]
		if mm.joinWaiter != nil || mm.syncWaiter != nil {
			sh.scheduleHeartbeat(t, gg, mm)
			return runtime.Result{}, nil
		}
		return runtime.Result{Records: sh.removeAndRebalance(t, gg, mid)}, nil
	})
}

// removeAndRebalance removes a member (expired or left) and moves the group
// on: a stable group rebalances, a rebalancing one may now be complete.
func (s *shard) removeAndRebalance(t *runtime.Timers, g *classicGroup, id string) []runtime.Record {
	m := g.removeMember(id)
	if m == nil {
		return nil
	}
	t.Cancel(heartbeatTimerKey(g.id, id))
	failWaiters(m, kerr.UnknownMemberID.Code)
	switch g.state {
	case stateStable, stateCompletingRebalance:
		return s.prepareRebalance(t, g)
	case statePreparingRebalance:
		return s.maybeCompleteJoin(t, g)
	}
	return nil
}
