package api

// OffsetCommit v2-9, OffsetFetch v1-9 (several groups from v8,
// require_stable) and OffsetDelete v0, answered by the group coordinator.
// Versions taking topic ids (v10) are not served yet. offset.metadata.max.bytes
// is Kafka's default, 4096. As in Kafka, a commit for a partition that does
// not exist is refused with UNKNOWN_TOPIC_OR_PARTITION before the group is
// looked at.

import (
	"context"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (b *Broker) handleOffsetCommit(ctx context.Context, req *kmsg.OffsetCommitRequest) kmsg.Response {
	img := b.image()
	known := *req
	known.Topics = nil
	// kidx[i] is where topic i of the request went in known, -1 if none
	// of its partitions exist.
	kidx := make([]int, len(req.Topics))
	filtered := false
	for i, rt := range req.Topics {
		kidx[i] = -1
		t := img.Topic(rt.Topic)
		kt := rt
		kt.Partitions = nil
		for _, rp := range rt.Partitions {
			if t != nil && t.Partitions[rp.Partition] != nil {
				kt.Partitions = append(kt.Partitions, rp)
			} else {
				filtered = true
			}
		}
		if len(kt.Partitions) > 0 {
			kidx[i] = len(known.Topics)
			known.Topics = append(known.Topics, kt)
		}
	}
	if !filtered {
		return b.cfg.Groups.OffsetCommit(ctx, req)
	}
	var answered *kmsg.OffsetCommitResponse
	if len(known.Topics) > 0 {
		answered = b.cfg.Groups.OffsetCommit(ctx, &known)
	}
	resp := req.ResponseKind().(*kmsg.OffsetCommitResponse)
	for i, rt := range req.Topics {
		ot := kmsg.NewOffsetCommitResponseTopic()
		ot.Topic = rt.Topic
		var done []kmsg.OffsetCommitResponseTopicPartition
		if kidx[i] >= 0 {
			done = answered.Topics[kidx[i]].Partitions
		}
		t := img.Topic(rt.Topic)
		for _, rp := range rt.Partitions {
			if t != nil && t.Partitions[rp.Partition] != nil {
				ot.Partitions = append(ot.Partitions, done[0])
				done = done[1:]
				continue
			}
			op := kmsg.NewOffsetCommitResponseTopicPartition()
			op.Partition, op.ErrorCode = rp.Partition, kerr.UnknownTopicOrPartition.Code
			ot.Partitions = append(ot.Partitions, op)
		}
		resp.Topics = append(resp.Topics, ot)
	}
	return resp
}

func (b *Broker) handleOffsetFetch(ctx context.Context, req *kmsg.OffsetFetchRequest) kmsg.Response {
	return b.cfg.Groups.OffsetFetch(ctx, req)
}

func (b *Broker) handleOffsetDelete(ctx context.Context, req *kmsg.OffsetDeleteRequest) kmsg.Response {
	return b.cfg.Groups.OffsetDelete(ctx, req)
}
