package controller

import (
	"context"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
)

// CreatePartitions grows topics to Count partitions, with optional manual
// assignments for the new partitions.
func (c *Controller) CreatePartitions(ctx context.Context, req *kmsg.CreatePartitionsRequest) (*kmsg.CreatePartitionsResponse, error) {
	r, err := c.exec(ctx, func() ([]metadata.Record, any, error) { return c.createPartitions(req) })
	if err != nil {
		return nil, err
	}
	return r.(*kmsg.CreatePartitionsResponse), nil
}

func (c *Controller) createPartitions(req *kmsg.CreatePartitionsRequest) ([]metadata.Record, any, error) {
	resp := kmsg.NewPtrCreatePartitionsResponse()
	resp.Version = req.Version
	count := map[string]int{}
	for _, t := range req.Topics {
		count[t.Topic]++
	}
	var recs []metadata.Record
	for i := range req.Topics {
		t := &req.Topics[i]
		rt := kmsg.NewCreatePartitionsResponseTopic()
		rt.Topic = t.Topic
		var trecs []metadata.Record
		var te *topicErr
		if count[t.Topic] > 1 {
			te = terr(kerr.InvalidRequest, "Duplicate topic name.")
		} else {
			trecs, te = c.createPartitionsFor(t)
		}
		if te != nil {
			rt.ErrorCode = te.code.Code
			rt.ErrorMessage = kmsg.StringPtr(te.msg)
		} else if !req.ValidateOnly {
			recs = append(recs, trecs...)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return recs, resp, nil
}

func (c *Controller) createPartitionsFor(t *kmsg.CreatePartitionsRequestTopic) ([]metadata.Record, *topicErr) {
	topic := c.spec.TopicsByName[t.Topic]
	if topic == nil {
		return nil, terr(kerr.UnknownTopicOrPartition, "This server does not host this topic-partition.")
	}
	cur := int32(len(topic.Partitions))
	if t.Count <= cur {
		return nil, terr(kerr.InvalidPartitions, "The topic %s currently has %d partition(s); %d would not be an increase.", t.Topic, cur, t.Count)
	}
	add := t.Count - cur
	rf := 1
	if p0 := topic.Partitions[0]; p0 != nil {
		rf = len(p0.Replicas)
	}
	var assignment [][]int32
	if t.Assignment != nil {
		if int32(len(t.Assignment)) != add {
			return nil, terr(kerr.InvalidReplicaAssignment, "Attempted to add %d additional partition(s), but only %d assignment(s) were specified.", add, len(t.Assignment))
		}
		for i, a := range t.Assignment {
			if err := checkAssignment(c.spec, cur+int32(i), a.Replicas); err != nil {
				return nil, terr(kerr.InvalidReplicaAssignment, "%s", capitalize(err.Error()))
			}
			if len(a.Replicas) != rf {
				return nil, terr(kerr.InvalidReplicaAssignment, "The manual partition assignment includes a partition with %d replica(s), but this is not consistent with previous partitions, which have %d replica(s).", len(a.Replicas), rf)
			}
			assignment = append(assignment, a.Replicas)
		}
	} else {
		pl, err := newPlacer(c.spec, c.cfg.Rand)
		if err != nil {
			return nil, terr(kerr.UnknownServerError, "%v", err)
		}
		if assignment, err = pl.place(cur, add, rf); err != nil {
			return nil, terr(kerr.InvalidReplicationFactor, "%s", capitalize(err.Error()))
		}
	}
	var recs []metadata.Record
	for i, reps := range assignment {
		pr, err := partitionRecord(c.spec, topic.ID, cur+int32(i), reps)
		if err != nil {
			return nil, terr(kerr.InvalidReplicaAssignment, "%s", capitalize(err.Error()))
		}
		recs = append(recs, pr)
	}
	return recs, nil
}
