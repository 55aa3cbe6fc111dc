package controller

import (
	"context"
	"fmt"
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
)

// Config sources as in DescribeConfigs.
const configSourceDynamicTopic int8 = 1

// CreateTopics creates topics (or, with ValidateOnly, only checks them).
// Each topic succeeds or fails on its own; errors use Kafka's codes.
func (c *Controller) CreateTopics(ctx context.Context, req *kmsg.CreateTopicsRequest) (*kmsg.CreateTopicsResponse, error) {
	r, err := c.exec(ctx, func() ([]metadata.Record, any, error) { return c.createTopics(req) })
	if err != nil {
		return nil, err
	}
	return r.(*kmsg.CreateTopicsResponse), nil
}

type topicErr struct {
	code *kerr.Error
	msg  string
}

func terr(code *kerr.Error, format string, args ...any) *topicErr {
	return &topicErr{code, fmt.Sprintf(format, args...)}
}

func (c *Controller) createTopics(req *kmsg.CreateTopicsRequest) ([]metadata.Record, any, error) {
	resp := kmsg.NewPtrCreateTopicsResponse()
	resp.Version = req.Version
	count := map[string]int{}
	for _, t := range req.Topics {
		count[t.Topic]++
	}
	// Names taken by existing topics and by topics earlier in this request.
	collide := map[string]string{}
	for name := range c.spec.TopicsByName {
		collide[metadata.CollisionName(name)] = name
	}
	var recs []metadata.Record
	view := c.spec
	for i := range req.Topics {
		t := &req.Topics[i]
		rt := kmsg.NewCreateTopicsResponseTopic()
		rt.Topic = t.Topic
		rt.NumPartitions, rt.ReplicationFactor = -1, -1
		var trecs []metadata.Record
		var te *topicErr
		if count[t.Topic] > 1 {
			te = terr(kerr.InvalidRequest, "Duplicate topic name.")
		} else {
			trecs, te = c.createTopic(view, t, &rt, collide)
		}
		if te != nil {
			rt.ErrorCode = te.code.Code
			if req.Version >= 1 {
				rt.ErrorMessage = kmsg.StringPtr(te.msg)
			}
			rt.NumPartitions, rt.ReplicationFactor, rt.TopicID = -1, -1, [16]byte{}
			rt.Configs = nil
		} else if !req.ValidateOnly {
			recs = append(recs, trecs...)
			collide[metadata.CollisionName(t.Topic)] = t.Topic
		}
		if req.Version < 5 {
			rt.NumPartitions, rt.ReplicationFactor, rt.Configs = -1, -1, nil
		}
		if req.Version < 7 {
			rt.TopicID = [16]byte{}
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return recs, resp, nil
}

func (c *Controller) createTopic(im *metadata.Image, t *kmsg.CreateTopicsRequestTopic, rt *kmsg.CreateTopicsResponseTopic, collide map[string]string) ([]metadata.Record, *topicErr) {
	if err := metadata.ValidateTopicName(t.Topic); err != nil {
		return nil, terr(kerr.InvalidTopicException, "%v", err)
	}
	if im.TopicsByName[t.Topic] != nil {
		return nil, terr(kerr.TopicAlreadyExists, "Topic '%s' already exists.", t.Topic)
	}
	if other, ok := collide[metadata.CollisionName(t.Topic)]; ok && other != t.Topic {
		return nil, terr(kerr.InvalidTopicException, "Topic '%s' collides with existing topic: %s", t.Topic, other)
	}
	configs := map[string]string{}
	for _, cf := range t.Configs {
		if cf.Value == nil {
			return nil, terr(kerr.InvalidConfig, "Null value not supported for topic configs: %s", cf.Name)
		}
		if _, dup := configs[cf.Name]; dup {
			return nil, terr(kerr.InvalidRequest, "Duplicate topic config %s", cf.Name)
		}
		if c.cfg.ValidateTopicConfig != nil {
			if err := c.cfg.ValidateTopicConfig(cf.Name, *cf.Value); err != nil {
				return nil, terr(kerr.InvalidConfig, "%v", err)
			}
		}
		configs[cf.Name] = *cf.Value
	}

	var assignment [][]int32
	if len(t.ReplicaAssignment) > 0 {
		if t.NumPartitions != -1 || t.ReplicationFactor != -1 {
			return nil, terr(kerr.InvalidRequest, "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.")
		}
		byPart := map[int32][]int32{}
		for _, a := range t.ReplicaAssignment {
			if _, dup := byPart[a.Partition]; dup {
				return nil, terr(kerr.InvalidReplicaAssignment, "Partition %d appears more than once in the manual partition assignment.", a.Partition)
			}
			byPart[a.Partition] = a.Replicas
		}
		for p := int32(0); p < int32(len(byPart)); p++ {
			reps, ok := byPart[p]
			if !ok {
				return nil, terr(kerr.InvalidReplicaAssignment, "Partitions should be a consecutive 0-based integer sequence, but partition %d is missing.", p)
			}
			if err := checkAssignment(im, p, reps); err != nil {
				return nil, terr(kerr.InvalidReplicaAssignment, "%v", err)
			}
			if p > 0 && len(reps) != len(assignment[0]) {
				return nil, terr(kerr.InvalidReplicaAssignment, "All partitions in the manual partition assignment must have the same number of replicas.")
			}
			assignment = append(assignment, reps)
		}
	} else {
		np, rf := t.NumPartitions, t.ReplicationFactor
		if np == -1 {
			np = c.cfg.NumPartitions
		}
		if rf == -1 {
			rf = c.cfg.DefaultReplicationFactor
		}
		if np <= 0 {
			return nil, terr(kerr.InvalidPartitions, "Number of partitions was set to an invalid non-positive value.")
		}
		if rf <= 0 {
			return nil, terr(kerr.InvalidReplicationFactor, "Replication factor must be larger than 0, or -1 to use the default value.")
		}
		pl, err := newPlacer(im, c.cfg.Rand)
		if err != nil {
			return nil, terr(kerr.UnknownServerError, "%v", err)
		}
		assignment, err = pl.place(0, np, int(rf))
		if err != nil {
			return nil, terr(kerr.InvalidReplicationFactor, "%s", capitalize(err.Error()))
		}
	}

	id, err := metadata.NewUUID(c.cfg.Rand)
	if err != nil {
		return nil, terr(kerr.UnknownServerError, "%v", err)
	}
	recs := []metadata.Record{&metadata.TopicRecord{Name: t.Topic, TopicID: id}}
	for p, reps := range assignment {
		pr, err := partitionRecord(im, id, int32(p), reps)
		if err != nil {
			return nil, terr(kerr.InvalidReplicaAssignment, "%s", capitalize(err.Error()))
		}
		recs = append(recs, pr)
	}
	names := make([]string, 0, len(configs))
	for k := range configs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := configs[k]
		recs = append(recs, &metadata.ConfigRecord{ResourceType: metadata.ResourceTopic, ResourceName: t.Topic, Name: k, Value: &v})
	}

	rt.TopicID = id
	rt.NumPartitions = int32(len(assignment))
	rt.ReplicationFactor = int16(len(assignment[0]))
	var entries []ConfigEntry
	if c.cfg.TopicResponseConfigs != nil {
		entries = c.cfg.TopicResponseConfigs(t.Topic, configs)
	} else {
		for _, k := range names {
			entries = append(entries, ConfigEntry{Name: k, Value: kmsg.StringPtr(configs[k]), Source: configSourceDynamicTopic})
		}
	}
	for _, e := range entries {
		rc := kmsg.NewCreateTopicsResponseTopicConfig()
		rc.Name, rc.Value, rc.ReadOnly, rc.Source, rc.IsSensitive = e.Name, e.Value, e.ReadOnly, e.Source, e.IsSensitive
		rt.Configs = append(rt.Configs, rc)
	}
	return recs, nil
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
