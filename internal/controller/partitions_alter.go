package controller

import (
	"context"
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
)

// AlterPartition applies ISR changes requested by partition leaders. Each
// partition is checked against the leader's view (leader epoch, partition
// epoch) and the new ISR may only hold unfenced replicas.
func (c *Controller) AlterPartition(ctx context.Context, req *kmsg.AlterPartitionRequest) (*kmsg.AlterPartitionResponse, error) {
	r, err := c.exec(ctx, func() ([]metadata.Record, any, error) { return c.alterPartition(req) })
	if err != nil {
		return nil, err
	}
	return r.(*kmsg.AlterPartitionResponse), nil
}

func (c *Controller) alterPartition(req *kmsg.AlterPartitionRequest) ([]metadata.Record, any, error) {
	resp := kmsg.NewPtrAlterPartitionResponse()
	resp.Version = req.Version
	b := c.spec.Brokers[req.BrokerID]
	if b == nil || b.Epoch != req.BrokerEpoch {
		resp.ErrorCode = kerr.StaleBrokerEpoch.Code
		return nil, resp, nil
	}
	var recs []metadata.Record
	for _, rt := range req.Topics {
		ot := kmsg.NewAlterPartitionResponseTopic()
		ot.Topic, ot.TopidID = rt.Topic, rt.TopicID
		var t *metadata.Topic
		unknown := kerr.UnknownTopicOrPartition
		if req.Version >= 2 {
			t = c.spec.TopicsByID[metadata.UUID(rt.TopicID)]
			unknown = kerr.UnknownTopicID
		} else {
			t = c.spec.TopicsByName[rt.Topic]
		}
		for _, rp := range rt.Partitions {
			op := kmsg.NewAlterPartitionResponseTopicPartition()
			op.Partition = rp.Partition
			if t == nil {
				op.ErrorCode = unknown.Code
				ot.Partitions = append(ot.Partitions, op)
				continue
			}
			rec, code := c.alterOne(req, t, rp)
			p := t.Partitions[rp.Partition]
			if code != nil {
				op.ErrorCode = code.Code
			} else {
				op.LeaderID, op.LeaderEpoch, op.ISR = p.Leader, p.LeaderEpoch, p.ISR
				op.LeaderRecoveryState, op.PartitionEpoch = p.LeaderRecoveryState, p.PartitionEpoch
				if rec != nil {
					recs = append(recs, rec)
					op.ISR, op.PartitionEpoch = rec.ISR, p.PartitionEpoch+1
					if rec.LeaderRecoveryState >= 0 {
						op.LeaderRecoveryState = rec.LeaderRecoveryState
					}
				}
			}
			ot.Partitions = append(ot.Partitions, op)
		}
		resp.Topics = append(resp.Topics, ot)
	}
	return recs, resp, nil
}

func (c *Controller) alterOne(req *kmsg.AlterPartitionRequest, t *metadata.Topic, rp kmsg.AlterPartitionRequestTopicPartition) (*metadata.PartitionChangeRecord, *kerr.Error) {
	p := t.Partitions[rp.Partition]
	switch {
	case p == nil:
		return nil, kerr.UnknownTopicOrPartition
	case p.Leader != req.BrokerID:
		return nil, kerr.NotLeaderForPartition
	case rp.LeaderEpoch > p.LeaderEpoch:
		// The leader knows an epoch we do not: we are behind.
		return nil, kerr.NotController
	case rp.LeaderEpoch < p.LeaderEpoch:
		return nil, kerr.FencedLeaderEpoch
	case rp.PartitionEpoch > p.PartitionEpoch:
		return nil, kerr.NotController
	case rp.PartitionEpoch < p.PartitionEpoch:
		return nil, kerr.InvalidUpdateVersion
	case rp.LeaderRecoveryState == 1 && p.LeaderRecoveryState == 0:
		// A recovered partition cannot go back to recovering.
		return nil, kerr.InvalidRequest
	}
	var isr []int32
	if req.Version >= 3 {
		for _, e := range rp.NewEpochISR {
			if b := c.spec.Brokers[e.BrokerID]; e.BrokerEpoch != -1 && (b == nil || b.Epoch != e.BrokerEpoch) {
				return nil, kerr.IneligibleReplica
			}
			isr = append(isr, e.BrokerID)
		}
	} else {
		isr = slices.Clone(rp.NewISR)
	}
	if len(isr) == 0 || !slices.Contains(isr, p.Leader) {
		return nil, kerr.InvalidRequest
	}
	seen := map[int32]bool{}
	for _, r := range isr {
		if seen[r] || !slices.Contains(p.Replicas, r) {
			return nil, kerr.InvalidRequest
		}
		seen[r] = true
		// Only live replicas may join; the leader itself may stay.
		if !slices.Contains(p.ISR, r) && !usable(c.spec, r, -1) {
			return nil, kerr.IneligibleReplica
		}
	}
	rec := &metadata.PartitionChangeRecord{PartitionID: p.ID, TopicID: t.ID, Leader: metadata.NoLeaderChange, LeaderRecoveryState: -1}
	changed := false
	if !slices.Equal(isr, p.ISR) {
		rec.ISR = isr
		changed = true
	}
	if req.Version >= 1 && rp.LeaderRecoveryState != p.LeaderRecoveryState {
		rec.LeaderRecoveryState = rp.LeaderRecoveryState
		changed = true
	}
	if !changed {
		return nil, nil
	}
	if rec.ISR == nil {
		rec.ISR = p.ISR
	}
	return rec, nil
}

// UnregisterBroker removes a broker's registration (kafka-cluster.sh
// unregister). A broker that is still heartbeating gets BROKER_ID_NOT_REGISTERED
// on its next heartbeat and registers again.
func (c *Controller) UnregisterBroker(ctx context.Context, req *kmsg.UnregisterBrokerRequest) (*kmsg.UnregisterBrokerResponse, error) {
	r, err := c.exec(ctx, func() ([]metadata.Record, any, error) {
		resp := kmsg.NewPtrUnregisterBrokerResponse()
		resp.Version = req.Version
		b := c.spec.Brokers[req.BrokerID]
		if b == nil {
			resp.ErrorCode = kerr.BrokerIDNotRegistered.Code
			resp.ErrorMessage = kmsg.StringPtr("Broker ID not registered.")
			return nil, resp, nil
		}
		recs := c.leaderMoves(b.ID)
		recs = append(recs, &metadata.UnregisterBrokerRecord{BrokerID: b.ID, BrokerEpoch: b.Epoch})
		if s := c.brokers[b.ID]; s != nil {
			s.stop()
			delete(c.brokers, b.ID)
		}
		return recs, resp, nil
	})
	if err != nil {
		return nil, err
	}
	return r.(*kmsg.UnregisterBrokerResponse), nil
}
