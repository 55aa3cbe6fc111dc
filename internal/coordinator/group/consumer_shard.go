package group

import (
	"fmt"
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/coordinator/group/consumer"
	"github.com/odradek/odradek/internal/coordinator/runtime"
)

// consumerType is the group type of KIP-848 groups in ListGroups.
const consumerType = "consumer"

func consumerTimerKey(g string) string { return "cg/" + g }

func encodeConsumerRecords(recs []consumer.Record) []runtime.Record {
	out := make([]runtime.Record, 0, len(recs))
	for _, r := range recs {
		k, v := consumer.EncodeRecord(r)
		out = append(out, runtime.Record{Key: k, Value: v})
	}
	return out
}

func heartbeatError(req *kmsg.ConsumerGroupHeartbeatRequest, e *kerr.Error, msg string) *kmsg.ConsumerGroupHeartbeatResponse {
	r := kmsg.NewPtrConsumerGroupHeartbeatResponse()
	r.Version = req.Version
	r.ErrorCode = e.Code
	if msg != "" {
		r.ErrorMessage = kmsg.StringPtr(msg)
	}
	return r
}

// consumerHeartbeat finds or creates the consumer group of a heartbeat and
// runs it. Group ids are shared with classic groups: an empty classic group
// (e.g. one holding only offsets) gives way, as in Kafka; a classic group
// with members is upgraded to a consumer group when
// group.consumer.migration.policy allows it and its members use the
// consumer protocol, else the member is refused with GROUP_ID_NOT_FOUND.
// A refused joining member leaves the classic group as it was.
func (s *shard) consumerHeartbeat(t *runtime.Timers, req *kmsg.ConsumerGroupHeartbeatRequest, client consumer.Client) (*kmsg.ConsumerGroupHeartbeatResponse, []runtime.Record) {
	if req.Group == "" {
		return heartbeatError(req, kerr.InvalidRequest, "GroupId can't be empty."), nil
	}
	var recs []runtime.Record
	var upgraded *classicGroup
	g := s.consumers[req.Group]
	if g == nil {
		cg := s.groups[req.Group]
		switch {
		case req.MemberEpoch != 0 && cg == nil:
			return heartbeatError(req, kerr.GroupIDNotFound, fmt.Sprintf("Consumer group %s not found.", req.Group)), nil
		case req.MemberEpoch != 0:
			return heartbeatError(req, kerr.GroupIDNotFound, fmt.Sprintf("Group %s is not a consumer group.", req.Group)), nil
		case cg != nil && cg.state != stateEmpty:
			if why := s.upgradeRefusal(cg); why != "" {
				return upgradeError(req, &consumer.UpgradeError{Group: req.Group, Reason: why}), nil
			}
			ng, conv, err := s.convertClassic(cg)
			if err != nil {
				return upgradeError(req, err), nil
			}
			g, recs, upgraded = ng, conv, cg
		default:
			if cg != nil {
				// The empty classic group is replaced; its offsets stay.
				recs = append(recs, groupMetadataTombstone(req.Group))
			}
			ng, err := consumer.New(req.Group, s.cfg.Consumer, s.clk)
			if err != nil {
				return heartbeatError(req, kerr.InvalidRequest, err.Error()), nil
			}
			ng.SetMetadata(s.md)
			g = ng
		}
	}
	s.applyGroupConfigs(g)
	resp, out := g.Heartbeat(req, client)
	if upgraded != nil && resp.ErrorCode != 0 {
		// As in Kafka, the conversion is part of the refused heartbeat.
		return resp, nil
	}
	recs = append(recs, encodeConsumerRecords(out)...)
	if upgraded != nil {
		s.finishUpgrade(t, upgraded)
	}
	// A group exists once it has written something: a refused first
	// heartbeat leaves no trace.
	if len(out) > 0 || s.consumers[req.Group] != nil {
		if s.consumers[req.Group] == nil {
			delete(s.groups, req.Group)
			s.consumers[req.Group] = g
		}
		s.armConsumerTimer(t, g)
	} else {
		recs = nil
	}
	return resp, append(recs, s.maybeDowngrade(t, g)...)
}

// armConsumerTimer keeps one timer per consumer group at its next deadline
// (session, rebalance or deferred assignment).
func (s *shard) armConsumerTimer(t *runtime.Timers, g *consumer.Group) {
	key := consumerTimerKey(g.ID())
	at, ok := g.NextDeadline()
	if !ok {
		t.Cancel(key)
		return
	}
	id := g.ID()
	t.Schedule(key, max(0, at.Sub(t.Now())), func(rs runtime.Shard, t *runtime.Timers) (runtime.Result, error) {
		sh := rs.(*shard)
		cg := sh.consumers[id]
		if cg == nil {
			return runtime.Result{}, nil
		}
		out := cg.OnTimer()
		sh.armConsumerTimer(t, cg)
		recs := encodeConsumerRecords(out)
		return runtime.Result{Records: append(recs, sh.maybeDowngrade(t, cg)...)}, nil
	})
}

// replayConsumer routes a consumer-group record read back on load.
func (s *shard) replayConsumer(offset int64, key, value []byte) error {
	rec, err := consumer.DecodeRecord(key, value)
	if err != nil {
		return fmt.Errorf("consumer group record at offset %d: %w", offset, err)
	}
	id := rec.GroupID()
	if gm, ok := rec.(*consumer.GroupMetadataRecord); ok && gm.Tombstone {
		delete(s.consumers, id)
		return nil
	}
	g := s.consumers[id]
	if g == nil {
		g, err = consumer.New(id, s.cfg.Consumer, s.clk)
		if err != nil {
			return fmt.Errorf("consumer group record at offset %d: %w", offset, err)
		}
		s.consumers[id] = g
		// An offsets-only classic entry made by an earlier commit record
		// gives way to the consumer group.
		if cg := s.groups[id]; cg != nil && cg.state == stateEmpty {
			delete(s.groups, id)
		}
	}
	if err := g.Replay(rec); err != nil {
		return fmt.Errorf("consumer group record at offset %d: %w", offset, err)
	}
	return nil
}

// deleteConsumerGroup removes an empty consumer group with its offsets.
func (s *shard) deleteConsumerGroup(t *runtime.Timers, g *consumer.Group) (runtime.Result, *kerr.Error) {
	tombs, err := g.DeleteRecords()
	if err != nil {
		return runtime.Result{}, kerr.NonEmptyGroup
	}
	id := g.ID()
	recs := s.offsetTombstones(id)
	recs = append(recs, encodeConsumerRecords(tombs)...)
	t.Cancel(consumerTimerKey(id))
	return runtime.Result{Records: recs, Apply: func() {
		delete(s.consumers, id)
		delete(s.offsets, id)
	}}, nil
}

func (s *shard) listConsumerGroups(states, types map[string]bool) []kmsg.ListGroupsResponseGroup {
	if len(types) > 0 && !types[consumerType] {
		return nil
	}
	ids := make([]string, 0, len(s.consumers))
	for id := range s.consumers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []kmsg.ListGroupsResponseGroup
	for _, id := range ids {
		state := s.consumers[id].State()
		if len(states) > 0 && !states[lower(state)] {
			continue
		}
		lg := kmsg.NewListGroupsResponseGroup()
		lg.Group, lg.ProtocolType, lg.GroupState, lg.GroupType = id, consumerType, state, consumerType
		out = append(out, lg)
	}
	return out
}

// describeConsumerAsClassic is what DescribeGroups answers for a consumer
// group: Dead, and from v6 GROUP_ID_NOT_FOUND, as Kafka 4.3 does.
func describeConsumerAsClassic(id string, version int16) kmsg.DescribeGroupsResponseGroup {
	dg := kmsg.NewDescribeGroupsResponseGroup()
	dg.Group, dg.State = id, stateDead.String()
	if version >= 6 {
		dg.ErrorCode = kerr.GroupIDNotFound.Code
		dg.ErrorMessage = kmsg.StringPtr(fmt.Sprintf("Group %s is not a classic group.", id))
	}
	return dg
}

// validateConsumerCommit checks an OffsetCommit to a consumer group and
// returns, per partition, the code to answer (0 allows the commit).
func (s *shard) validateConsumerCommit(g *consumer.Group, req *kmsg.OffsetCommitRequest) (func(topic string, partition int32) int16, *kerr.Error) {
	validate, e := g.ValidateOffsetCommit(req.MemberID, req.Generation)
	if e != nil {
		return nil, e
	}
	if req.Version < 9 && !(req.MemberID == "" && req.Generation < 0) && !g.IsClassicMember(req.MemberID) {
		// Members of the consumer protocol must commit with v9+; classic
		// members commit as they always did.
		return nil, kerr.UnsupportedVersion
	}
	return func(topic string, partition int32) int16 {
		if pe := validate(s.topicIDs[topic], partition); pe != nil {
			return pe.Code
		}
		return 0
	}, nil
}

// expireConsumerOffsets drops expired offsets of empty consumer groups and
// deletes the groups left without offsets, as Kafka does.
func (s *shard) expireConsumerOffsets(t *runtime.Timers, nowMs int64) []runtime.Record {
	retention := s.cfg.OffsetsRetention.Milliseconds()
	ids := make([]string, 0, len(s.consumers))
	for id, g := range s.consumers {
		if g.IsEmpty() {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	var recs []runtime.Record
	for _, id := range ids {
		committed := s.offsets[id]
		for _, tp := range s.committedPartitions(id) {
			e := committed[tp]
			expireAt := e.expireMs
			if expireAt < 0 {
				expireAt = e.commitMs + retention
			}
			if nowMs >= expireAt {
				recs = append(recs, offsetCommitRecord(id, tp.topic, tp.partition, nil))
				s.deleteOffset(id, tp.topic, tp.partition)
			}
		}
		if len(s.offsets[id]) == 0 {
			tombs, err := s.consumers[id].DeleteRecords()
			if err != nil {
				continue
			}
			recs = append(recs, encodeConsumerRecords(tombs)...)
			t.Cancel(consumerTimerKey(id))
			delete(s.consumers, id)
		}
	}
	return recs
}
