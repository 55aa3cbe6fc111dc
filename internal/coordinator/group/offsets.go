package group

import (
	"errors"
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/coordinator/runtime"
)

func asKerr(err error) (*kerr.Error, bool) {
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return ke, true
	}
	return nil, false
}

// validateCommit checks who may commit: anyone to an empty group with
// generation -1 (admin tools and manually assigned consumers), otherwise
// only a current member of the current generation.
func (s *shard) validateCommit(t *runtime.Timers, group, memberID string, instanceID *string, generation int32) (*classicGroup, *kerr.Error) {
	g := s.groups[group]
	if g == nil {
		if generation >= 0 {
			return nil, kerr.IllegalGeneration
		}
		return nil, nil
	}
	if generation < 0 && memberID == "" && g.state == stateEmpty {
		return g, nil
	}
	if g.state == stateEmpty || g.state == stateDead {
		return nil, kerr.UnknownMemberID
	}
	m, e := g.checkMember(memberID, instanceID)
	if e != nil {
		return nil, e
	}
	if generation != g.generation {
		return nil, kerr.IllegalGeneration
	}
	if g.state == stateCompletingRebalance {
		return nil, kerr.RebalanceInProgress
	}
	s.scheduleHeartbeat(t, g, m)
	return g, nil
}

// commit fills resp's partition codes and returns the records to write.
func (s *shard) commit(t *runtime.Timers, req *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse) runtime.Result {
	now := t.Now().UnixMilli()
	setAll := func(code int16) {
		for i := range resp.Topics {
			for j := range resp.Topics[i].Partitions {
				resp.Topics[i].Partitions[j].ErrorCode = code
			}
		}
	}
	if req.Group == "" {
		setAll(kerr.InvalidGroupID.Code)
		return runtime.Result{}
	}
	var g *classicGroup
	var e *kerr.Error
	var check func(topic string, partition int32) int16
	if cg := s.consumers[req.Group]; cg != nil {
		check, e = s.validateConsumerCommit(cg, req)
	} else {
		g, e = s.validateCommit(t, req.Group, req.MemberID, req.InstanceID, req.Generation)
	}
	if e != nil {
		setAll(e.Code)
		return runtime.Result{}
	}
	type put struct {
		topic string
		part  int32
		e     *offsetEntry
	}
	var puts []put
	var recs []runtime.Record
	for i, rt := range req.Topics {
		for j, rp := range rt.Partitions {
			md := ""
			if rp.Metadata != nil {
				md = *rp.Metadata
			}
			if check != nil {
				if code := check(rt.Topic, rp.Partition); code != 0 {
					resp.Topics[i].Partitions[j].ErrorCode = code
					continue
				}
			}
			if len(md) > s.cfg.MaxMetadataSize {
				resp.Topics[i].Partitions[j].ErrorCode = kerr.OffsetMetadataTooLarge.Code
				continue
			}
			e := &offsetEntry{offset: rp.Offset, leaderEpoch: rp.LeaderEpoch, metadata: md, commitMs: now, expireMs: -1}
			if req.Version < 6 {
				e.leaderEpoch = -1
			}
			puts = append(puts, put{rt.Topic, rp.Partition, e})
			recs = append(recs, offsetCommitRecord(req.Group, rt.Topic, rp.Partition, e))
		}
	}
	return runtime.Result{Records: recs, Apply: func() {
		if g == nil && s.groups[req.Group] == nil && s.consumers[req.Group] == nil {
			s.groups[req.Group] = newClassicGroup(req.Group, now)
		}
		for _, p := range puts {
			s.putOffset(req.Group, p.topic, p.part, p.e)
		}
	}}
}

// fetchGroup answers one group's OffsetFetch; nil topics means all.
func (s *shard) fetchGroup(group string, topics []kmsg.OffsetFetchRequestGroupTopic) []kmsg.OffsetFetchResponseGroupTopic {
	committed := s.offsets[group]
	var out []kmsg.OffsetFetchResponseGroupTopic
	if topics == nil {
		byTopic := map[string][]int32{}
		for tp := range committed {
			byTopic[tp.topic] = append(byTopic[tp.topic], tp.partition)
		}
		names := make([]string, 0, len(byTopic))
		for n := range byTopic {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			ps := byTopic[n]
			sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
			topics = append(topics, kmsg.OffsetFetchRequestGroupTopic{Topic: n, Partitions: ps})
		}
	}
	for _, rt := range topics {
		ot := kmsg.NewOffsetFetchResponseGroupTopic()
		ot.Topic = rt.Topic
		for _, p := range rt.Partitions {
			op := kmsg.NewOffsetFetchResponseGroupTopicPartition()
			op.Partition, op.Offset, op.LeaderEpoch = p, -1, -1
			op.Metadata = kmsg.StringPtr("")
			if e := committed[topicPartition{rt.Topic, p}]; e != nil {
				op.Offset, op.LeaderEpoch, op.Metadata = e.offset, e.leaderEpoch, kmsg.StringPtr(e.metadata)
			}
			ot.Partitions = append(ot.Partitions, op)
		}
		out = append(out, ot)
	}
	return out
}

// subscribedTopics are the topics a consumer-protocol group's members
// subscribe to, read from their subscription metadata.
func (g *classicGroup) subscribedTopics() map[string]bool {
	if g.protocolType != "consumer" || len(g.members) == 0 {
		return nil
	}
	out := map[string]bool{}
	for _, m := range g.members {
		var md kmsg.ConsumerMemberMetadata
		if err := md.ReadFrom(m.metadataFor(g.protocol)); err != nil {
			continue
		}
		for _, t := range md.Topics {
			out[t] = true
		}
	}
	return out
}

// deleteOffsets handles OffsetDelete: offsets of topics the group still
// subscribes to stay (GROUP_SUBSCRIBED_TO_TOPIC).
func (s *shard) deleteOffsets(req *kmsg.OffsetDeleteRequest, resp *kmsg.OffsetDeleteResponse) runtime.Result {
	g := s.groups[req.Group]
	if req.Group == "" {
		resp.ErrorCode = kerr.InvalidGroupID.Code
		return runtime.Result{}
	}
	if g == nil {
		resp.ErrorCode = kerr.GroupIDNotFound.Code
		return runtime.Result{}
	}
	if g.state != stateEmpty && g.protocolType != "consumer" {
		resp.ErrorCode = kerr.NonEmptyGroup.Code
		return runtime.Result{}
	}
	subscribed := g.subscribedTopics()
	var recs []runtime.Record
	var dels []topicPartition
	for _, rt := range req.Topics {
		ot := kmsg.NewOffsetDeleteResponseTopic()
		ot.Topic = rt.Topic
		for _, rp := range rt.Partitions {
			op := kmsg.NewOffsetDeleteResponseTopicPartition()
			op.Partition = rp.Partition
			if subscribed[rt.Topic] {
				op.ErrorCode = kerr.GroupSubscribedToTopic.Code
			} else if s.offsets[req.Group][topicPartition{rt.Topic, rp.Partition}] != nil {
				recs = append(recs, offsetCommitRecord(req.Group, rt.Topic, rp.Partition, nil))
				dels = append(dels, topicPartition{rt.Topic, rp.Partition})
			}
			ot.Partitions = append(ot.Partitions, op)
		}
		resp.Topics = append(resp.Topics, ot)
	}
	return runtime.Result{Records: recs, Apply: func() {
		for _, d := range dels {
			s.deleteOffset(req.Group, d.topic, d.partition)
		}
	}}
}

// expireOffsets drops offsets older than offsets.retention.minutes. As in
// Kafka (KIP-211), offsets of a group with members never expire; for an
// empty group the clock starts when it became empty. An empty group left
// without offsets is deleted.
func (s *shard) expireOffsets(nowMs int64) []runtime.Record {
	retention := s.cfg.OffsetsRetention.Milliseconds()
	var recs []runtime.Record
	groups := make([]string, 0, len(s.groups))
	for id := range s.groups {
		groups = append(groups, id)
	}
	sort.Strings(groups)
	for _, id := range groups {
		g := s.groups[id]
		if g.state != stateEmpty {
			continue
		}
		committed := s.offsets[id]
		for _, tp := range s.committedPartitions(id) {
			e := committed[tp]
			expireAt := e.expireMs
			if expireAt < 0 {
				base := e.commitMs
				if g.protocolType != "" {
					base = max(base, g.stateTime)
				}
				expireAt = base + retention
			}
			if nowMs >= expireAt {
				recs = append(recs, offsetCommitRecord(id, tp.topic, tp.partition, nil))
				s.deleteOffset(id, tp.topic, tp.partition)
			}
		}
		if len(s.offsets[id]) == 0 {
			recs = append(recs, groupMetadataTombstone(id))
			delete(s.groups, id)
		}
	}
	return recs
}

// dropTopics writes tombstones for every offset committed for topics.
func (s *shard) dropTopics(topics map[string]bool) runtime.Result {
	var recs []runtime.Record
	type del struct {
		group string
		tp    topicPartition
	}
	var dels []del
	groups := make([]string, 0, len(s.offsets))
	for g := range s.offsets {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	for _, g := range groups {
		for tp := range s.offsets[g] {
			if topics[tp.topic] {
				dels = append(dels, del{g, tp})
			}
		}
	}
	sort.Slice(dels, func(i, j int) bool {
		a, b := dels[i], dels[j]
		if a.group != b.group {
			return a.group < b.group
		}
		if a.tp.topic != b.tp.topic {
			return a.tp.topic < b.tp.topic
		}
		return a.tp.partition < b.tp.partition
	})
	for _, d := range dels {
		recs = append(recs, offsetCommitRecord(d.group, d.tp.topic, d.tp.partition, nil))
	}
	return runtime.Result{Records: recs, Apply: func() {
		for _, d := range dels {
			s.deleteOffset(d.group, d.tp.topic, d.tp.partition)
		}
	}}
}
