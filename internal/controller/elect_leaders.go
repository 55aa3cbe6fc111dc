package controller

import (
	"context"
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
)

// Election types of ElectLeaders.
const (
	electPreferred int8 = 0
	electUnclean   int8 = 1
)

// ElectLeaders runs preferred (type 0, and all of v0) or unclean (type 1)
// leader elections. A nil Topics list means every partition.
func (c *Controller) ElectLeaders(ctx context.Context, req *kmsg.ElectLeadersRequest) (*kmsg.ElectLeadersResponse, error) {
	r, err := c.exec(ctx, func() ([]metadata.Record, any, error) { return c.electLeaders(req) })
	if err != nil {
		return nil, err
	}
	return r.(*kmsg.ElectLeadersResponse), nil
}

func (c *Controller) electLeaders(req *kmsg.ElectLeadersRequest) ([]metadata.Record, any, error) {
	resp := kmsg.NewPtrElectLeadersResponse()
	resp.Version = req.Version
	typ := electPreferred
	if req.Version >= 1 {
		typ = req.ElectionType
	}
	if typ != electPreferred && typ != electUnclean {
		resp.ErrorCode = kerr.InvalidRequest.Code
		return nil, resp, nil
	}
	topics := req.Topics
	all := topics == nil
	if all {
		for _, name := range c.spec.TopicNames() {
			t := kmsg.NewElectLeadersRequestTopic()
			t.Topic, t.Partitions = name, c.spec.TopicsByName[name].SortedPartitionIDs()
			topics = append(topics, t)
		}
	}
	var recs []metadata.Record
	for _, rt := range topics {
		ot := kmsg.NewElectLeadersResponseTopic()
		ot.Topic = rt.Topic
		t := c.spec.TopicsByName[rt.Topic]
		for _, pid := range rt.Partitions {
			op := kmsg.NewElectLeadersResponseTopicPartition()
			op.Partition = pid
			var rec *metadata.PartitionChangeRecord
			var code *kerr.Error
			var msg string
			if t == nil || t.Partitions[pid] == nil {
				code, msg = kerr.UnknownTopicOrPartition, "The partition does not exist."
			} else {
				rec, code, msg = c.electOne(t, t.Partitions[pid], typ)
			}
			if code != nil {
				if all && code == kerr.ElectionNotNeeded {
					continue // Kafka leaves partitions needing nothing out of an all-partitions answer
				}
				op.ErrorCode = code.Code
				op.ErrorMessage = kmsg.StringPtr(msg)
			} else {
				recs = append(recs, rec)
			}
			ot.Partitions = append(ot.Partitions, op)
		}
		if !all || len(ot.Partitions) > 0 {
			resp.Topics = append(resp.Topics, ot)
		}
	}
	return recs, resp, nil
}

func (c *Controller) electOne(t *metadata.Topic, p *metadata.Partition, typ int8) (*metadata.PartitionChangeRecord, *kerr.Error, string) {
	rec := &metadata.PartitionChangeRecord{PartitionID: p.ID, TopicID: t.ID, Leader: metadata.NoLeaderChange, LeaderRecoveryState: -1}
	if typ == electPreferred {
		pref := p.Replicas[0]
		if p.Leader == pref {
			return nil, kerr.ElectionNotNeeded, "Leader election not needed for topic partition."
		}
		if !slices.Contains(p.ISR, pref) || !usable(c.spec, pref, -1) {
			return nil, kerr.PreferredLeaderNotAvailable, "Failed to elect leader for partition: the preferred replica is not in the ISR or not alive."
		}
		rec.Leader = pref
		return rec, nil, ""
	}
	if p.Leader != metadata.NoLeader && usable(c.spec, p.Leader, -1) {
		return nil, kerr.ElectionNotNeeded, "Leader election not needed for topic partition."
	}
	for _, r := range p.Replicas {
		if slices.Contains(p.ISR, r) && usable(c.spec, r, -1) {
			rec.Leader = r
			return rec, nil, ""
		}
	}
	for _, r := range p.Replicas {
		if usable(c.spec, r, -1) {
			// Unclean: a replica outside the ISR leads and may have lost data.
			rec.Leader, rec.ISR, rec.LeaderRecoveryState = r, []int32{r}, 1
			return rec, nil, ""
		}
	}
	return nil, kerr.EligibleLeadersNotAvailable, "No eligible replica is alive."
}
