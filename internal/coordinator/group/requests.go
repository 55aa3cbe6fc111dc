package group

import (
	"context"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/coordinator/runtime"
)

// JoinGroup blocks until the member's join completes (the rebalance
// finishes, or an error), or ctx ends.
func (c *Coordinator) JoinGroup(ctx context.Context, req *kmsg.JoinGroupRequest, clientID, clientHost string) *kmsg.JoinGroupResponse {
	ch := make(chan *kmsg.JoinGroupResponse, 1)
	respond := func(r *kmsg.JoinGroupResponse) {
		select {
		case ch <- r:
		default:
		}
	}
	err := c.write(ctx, req.Group, func(s *shard, t *runtime.Timers) (runtime.Result, error) {
		return s.join(t, req, clientID, clientHost, respond), nil
	})
	var resp *kmsg.JoinGroupResponse
	select {
	case resp = <-ch:
	default:
		if err != nil {
			resp = joinError(req, codeOf(err), req.MemberID)
			break
		}
		select {
		case resp = <-ch:
		case <-ctx.Done():
			resp = joinError(req, kerr.RebalanceInProgress.Code, req.MemberID)
		}
	}
	resp.Version = req.Version
	return resp
}

// SyncGroup blocks until the leader's assignment is committed.
func (c *Coordinator) SyncGroup(ctx context.Context, req *kmsg.SyncGroupRequest) *kmsg.SyncGroupResponse {
	ch := make(chan *kmsg.SyncGroupResponse, 1)
	respond := func(r *kmsg.SyncGroupResponse) {
		select {
		case ch <- r:
		default:
		}
	}
	err := c.write(ctx, req.Group, func(s *shard, t *runtime.Timers) (runtime.Result, error) {
		return s.sync(t, req, respond), nil
	})
	var resp *kmsg.SyncGroupResponse
	select {
	case resp = <-ch:
	default:
		if err != nil {
			resp = syncError(codeOf(err))
			break
		}
		select {
		case resp = <-ch:
		case <-ctx.Done():
			resp = syncError(kerr.RebalanceInProgress.Code)
		}
	}
	resp.Version = req.Version
	return resp
}

// Heartbeat keeps a member alive and tells it about rebalances.
func (c *Coordinator) Heartbeat(ctx context.Context, req *kmsg.HeartbeatRequest) *kmsg.HeartbeatResponse {
	resp := req.ResponseKind().(*kmsg.HeartbeatResponse)
	var code int16
	err := c.write(ctx, req.Group, func(s *shard, t *runtime.Timers) (runtime.Result, error) {
		if e := s.heartbeat(t, req); e != nil {
			code = e.Code
		}
		return runtime.Result{}, nil
	})
	if err != nil {
		code = codeOf(err)
	}
	resp.ErrorCode = code
	return resp
}

// LeaveGroup removes members and starts a rebalance.
func (c *Coordinator) LeaveGroup(ctx context.Context, req *kmsg.LeaveGroupRequest) *kmsg.LeaveGroupResponse {
	resp := req.ResponseKind().(*kmsg.LeaveGroupResponse)
	err := c.write(ctx, req.Group, func(s *shard, t *runtime.Timers) (runtime.Result, error) {
		return runtime.Result{Records: s.leave(t, req, resp)}, nil
	})
	if err != nil && resp.ErrorCode == 0 && len(resp.Members) == 0 {
		resp.ErrorCode = codeOf(err)
	}
	return resp
}

// OffsetCommit stores offsets once they are committed to the log.
func (c *Coordinator) OffsetCommit(ctx context.Context, req *kmsg.OffsetCommitRequest) *kmsg.OffsetCommitResponse {
	resp := req.ResponseKind().(*kmsg.OffsetCommitResponse)
	for _, rt := range req.Topics {
		ot := kmsg.NewOffsetCommitResponseTopic()
		ot.Topic = rt.Topic
		for _, rp := range rt.Partitions {
			op := kmsg.NewOffsetCommitResponseTopicPartition()
			op.Partition = rp.Partition
			ot.Partitions = append(ot.Partitions, op)
		}
		resp.Topics = append(resp.Topics, ot)
	}
	err := c.write(ctx, req.Group, func(s *shard, t *runtime.Timers) (runtime.Result, error) {
		return s.commit(t, req, resp), nil
	})
	if err != nil {
		code := codeOf(err)
		for i := range resp.Topics {
			for j := range resp.Topics[i].Partitions {
				if resp.Topics[i].Partitions[j].ErrorCode == 0 {
					resp.Topics[i].Partitions[j].ErrorCode = code
				}
			}
		}
	}
	return resp
}

// OffsetFetch answers committed offsets, one group (v0-7) or many (v8+).
// require_stable needs nothing here: no transactional offset commits
// exist yet, so no offset is ever pending.
func (c *Coordinator) OffsetFetch(ctx context.Context, req *kmsg.OffsetFetchRequest) *kmsg.OffsetFetchResponse {
	resp := req.ResponseKind().(*kmsg.OffsetFetchResponse)
	if req.Version < 8 {
		var topics []kmsg.OffsetFetchRequestGroupTopic
		if req.Topics != nil {
			topics = []kmsg.OffsetFetchRequestGroupTopic{}
			for _, t := range req.Topics {
				topics = append(topics, kmsg.OffsetFetchRequestGroupTopic{Topic: t.Topic, Partitions: t.Partitions})
			}
		}
		gts, code := c.fetchOne(req.Group, topics, nil, -1)
		resp.ErrorCode = code
		for _, gt := range gts {
			ot := kmsg.NewOffsetFetchResponseTopic()
			ot.Topic = gt.Topic
			for _, gp := range gt.Partitions {
				op := kmsg.NewOffsetFetchResponseTopicPartition()
				op.Partition, op.Offset, op.LeaderEpoch, op.Metadata, op.ErrorCode = gp.Partition, gp.Offset, gp.LeaderEpoch, gp.Metadata, gp.ErrorCode
				ot.Partitions = append(ot.Partitions, op)
			}
			resp.Topics = append(resp.Topics, ot)
		}
		if code != 0 && req.Version < 2 {
			// v0-1 have no top-level error: it goes on every partition.
			for _, t := range req.Topics {
				ot := kmsg.NewOffsetFetchResponseTopic()
				ot.Topic = t.Topic
				for _, p := range t.Partitions {
					op := kmsg.NewOffsetFetchResponseTopicPartition()
					op.Partition, op.Offset, op.ErrorCode = p, -1, code
					ot.Partitions = append(ot.Partitions, op)
				}
				resp.Topics = append(resp.Topics, ot)
			}
		}
		return resp
	}
	for _, rg := range req.Groups {
		og := kmsg.NewOffsetFetchResponseGroup()
		og.Group = rg.Group
		gts, code := c.fetchOne(rg.Group, rg.Topics, rg.MemberID, rg.MemberEpoch)
		og.ErrorCode = code
		og.Topics = gts
		resp.Groups = append(resp.Groups, og)
	}
	return resp
}

// fetchOne answers one group's offsets. A consumer-protocol member
// (OffsetFetch v9+) must name itself with a known member id and an epoch
// not above its own; admin tools send no member id and epoch -1.
func (c *Coordinator) fetchOne(group string, topics []kmsg.OffsetFetchRequestGroupTopic, memberID *string, memberEpoch int32) ([]kmsg.OffsetFetchResponseGroupTopic, int16) {
	if group == "" {
		return nil, kerr.InvalidGroupID.Code
	}
	var out []kmsg.OffsetFetchResponseGroupTopic
	var code int16
	err := c.read(group, func(s *shard) error {
		if cg := s.consumers[group]; cg != nil && !(memberID == nil && memberEpoch < 0) {
			id := ""
			if memberID != nil {
				id = *memberID
			}
			if _, e := cg.ValidateOffsetCommit(id, memberEpoch); e != nil {
				code = e.Code
				return nil
			}
		}
		out = s.fetchGroup(group, topics)
		return nil
	})
	if err != nil {
		return nil, codeOf(err)
	}
	return out, code
}

// OffsetDelete deletes a group's offsets for topics it no longer consumes.
func (c *Coordinator) OffsetDelete(ctx context.Context, req *kmsg.OffsetDeleteRequest) *kmsg.OffsetDeleteResponse {
	resp := req.ResponseKind().(*kmsg.OffsetDeleteResponse)
	err := c.write(ctx, req.Group, func(s *shard, t *runtime.Timers) (runtime.Result, error) {
		return s.deleteOffsets(req, resp), nil
	})
	if err != nil && resp.ErrorCode == 0 {
		resp.Topics = nil
		resp.ErrorCode = codeOf(err)
	}
	return resp
}

// DeleteGroups deletes empty groups with their offsets.
func (c *Coordinator) DeleteGroups(ctx context.Context, req *kmsg.DeleteGroupsRequest) *kmsg.DeleteGroupsResponse {
	resp := req.ResponseKind().(*kmsg.DeleteGroupsResponse)
	for _, id := range req.Groups {
		rg := kmsg.NewDeleteGroupsResponseGroup()
		rg.Group = id
		var code int16
		err := c.write(ctx, id, func(s *shard, t *runtime.Timers) (runtime.Result, error) {
			res, e := s.deleteGroup(t, id)
			if e != nil {
				code = e.Code
			}
			return res, nil
		})
		if code == 0 && err != nil {
			code = codeOf(err)
		}
		rg.ErrorCode = code
		resp.Groups = append(resp.Groups, rg)
	}
	return resp
}

// ListGroups lists the groups of every partition hosted here. A partition
// still loading makes the answer COORDINATOR_LOAD_IN_PROGRESS, as in Kafka.
func (c *Coordinator) ListGroups(req *kmsg.ListGroupsRequest) *kmsg.ListGroupsResponse {
	resp := req.ResponseKind().(*kmsg.ListGroupsResponse)
	states, types := map[string]bool{}, map[string]bool{}
	for _, s := range req.StatesFilter {
		states[lower(s)] = true
	}
	for _, t := range req.TypesFilter {
		types[lower(t)] = true
	}
	for p, active := range c.rt.Hosted() {
		if !active {
			resp.ErrorCode = kerr.CoordinatorLoadInProgress.Code
			continue
		}
		_ = c.rt.Read(p, func(rs runtime.Shard, _ *runtime.Timers) error {
			sh := rs.(*shard)
			resp.Groups = append(resp.Groups, sh.listGroups(states, types)...)
			resp.Groups = append(resp.Groups, sh.listConsumerGroups(states, types)...)
			return nil
		})
	}
	return resp
}

// DescribeGroups describes groups by id.
func (c *Coordinator) DescribeGroups(req *kmsg.DescribeGroupsRequest) *kmsg.DescribeGroupsResponse {
	resp := req.ResponseKind().(*kmsg.DescribeGroupsResponse)
	for _, id := range req.Groups {
		var dg kmsg.DescribeGroupsResponseGroup
		err := c.read(id, func(s *shard) error {
			dg = s.describeGroup(id, req.Version)
			return nil
		})
		if err != nil {
			dg = kmsg.NewDescribeGroupsResponseGroup()
			dg.Group, dg.ErrorCode = id, codeOf(err)
		}
		if id == "" {
			dg.ErrorCode = kerr.InvalidGroupID.Code
		}
		resp.Groups = append(resp.Groups, dg)
	}
	return resp
}
