package group

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/coordinator/group/consumer"
	"github.com/odradek/odradek/internal/coordinator/runtime"
)

// Classic-protocol requests (JoinGroup, SyncGroup, Heartbeat, LeaveGroup)
// to a consumer group with members: the consumer group runs them (see
// consumer.Group.ClassicJoin and friends) and the shard wires timers and
// answers.

// joinConsumer answers a JoinGroup to a consumer group once its records
// are committed. JoinGroup never waits here: the member's assignment is
// computed by the group, not by a leader.
func (s *shard) joinConsumer(t *runtime.Timers, g *consumer.Group, req *kmsg.JoinGroupRequest, clientID, host string, respond func(*kmsg.JoinGroupResponse)) runtime.Result {
	rebalance := req.RebalanceTimeoutMillis
	if req.Version == 0 || rebalance <= 0 {
		rebalance = req.SessionTimeoutMillis
	}
	cr := consumer.ClassicJoinRequest{Version: req.Version, MemberID: req.MemberID, InstanceID: req.InstanceID,
		ClientID: clientID, ClientHost: host, SessionTimeoutMs: req.SessionTimeoutMillis, RebalanceTimeoutMs: rebalance,
		ProtocolType: req.ProtocolType}
	for _, p := range req.Protocols {
		cr.Protocols = append(cr.Protocols, consumer.ClassicProtocol{Name: p.Name, Metadata: p.Metadata})
	}
	res, out := g.ClassicJoin(cr)
	recs := encodeConsumerRecords(out)
	s.armConsumerTimer(t, g)
	recs = append(recs, s.maybeDowngrade(t, g)...)
	if res.Err != nil {
		respond(joinError(req, res.Err.Code, res.MemberID))
		return runtime.Result{Records: recs}
	}
	r := kmsg.NewPtrJoinGroupResponse()
	r.MemberID, r.Generation = res.MemberID, res.Generation
	r.ProtocolType, r.Protocol = kmsg.StringPtr(consumer.ProtocolType), kmsg.StringPtr(res.Protocol)
	return runtime.Result{Records: recs, Done: func(err error) {
		if err != nil {
			respond(joinError(req, codeOf(err), req.MemberID))
			return
		}
		respond(r)
	}}
}

// syncConsumer answers a SyncGroup to a consumer group.
func (s *shard) syncConsumer(t *runtime.Timers, g *consumer.Group, req *kmsg.SyncGroupRequest, respond func(*kmsg.SyncGroupResponse)) runtime.Result {
	res := g.ClassicSync(consumer.ClassicSyncRequest{MemberID: req.MemberID, InstanceID: req.InstanceID,
		Generation: req.Generation, ProtocolType: req.ProtocolType, Protocol: req.Protocol})
	s.armConsumerTimer(t, g)
	if res.Err != nil {
		respond(syncError(res.Err.Code))
		return runtime.Result{}
	}
	r := kmsg.NewPtrSyncGroupResponse()
	r.ProtocolType, r.Protocol, r.MemberAssignment = req.ProtocolType, req.Protocol, res.Assignment
	respond(r)
	return runtime.Result{}
}

// heartbeatConsumer answers a Heartbeat to a consumer group.
func (s *shard) heartbeatConsumer(t *runtime.Timers, g *consumer.Group, req *kmsg.HeartbeatRequest) *kerr.Error {
	e, _ := g.ClassicHeartbeat(req.MemberID, req.InstanceID, req.Generation)
	s.armConsumerTimer(t, g)
	return e
}

// leaveConsumer removes members from a consumer group; the group may turn
// classic when its last consumer-protocol member is removed.
func (s *shard) leaveConsumer(t *runtime.Timers, g *consumer.Group, leaving []kmsg.LeaveGroupRequestMember, req *kmsg.LeaveGroupRequest, resp *kmsg.LeaveGroupResponse) []runtime.Record {
	ls := make([]consumer.ClassicLeaveMember, 0, len(leaving))
	for _, l := range leaving {
		ls = append(ls, consumer.ClassicLeaveMember{MemberID: l.MemberID, InstanceID: l.InstanceID})
	}
	res, out := g.ClassicLeave(ls)
	for _, r := range res {
		var code int16
		if r.Err != nil {
			code = r.Err.Code
		}
		if req.Version < 3 {
			resp.ErrorCode = code
			continue
		}
		rm := kmsg.NewLeaveGroupResponseMember()
		rm.MemberID, rm.InstanceID, rm.ErrorCode = r.MemberID, r.InstanceID, code
		resp.Members = append(resp.Members, rm)
	}
	s.armConsumerTimer(t, g)
	return append(encodeConsumerRecords(out), s.maybeDowngrade(t, g)...)
}
