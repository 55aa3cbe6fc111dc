package controller

import (
	"context"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
)

// DeleteTopics deletes topics by name (v0-5 TopicNames, v6+ Topics[].Topic)
// or by id (v6+ Topics[].TopicID).
func (c *Controller) DeleteTopics(ctx context.Context, req *kmsg.DeleteTopicsRequest) (*kmsg.DeleteTopicsResponse, error) {
	r, err := c.exec(ctx, func() ([]metadata.Record, any, error) { return c.deleteTopics(req) })
	if err != nil {
		return nil, err
	}
	return r.(*kmsg.DeleteTopicsResponse), nil
}

func (c *Controller) deleteTopics(req *kmsg.DeleteTopicsRequest) ([]metadata.Record, any, error) {
	resp := kmsg.NewPtrDeleteTopicsResponse()
	resp.Version = req.Version
	type target struct {
		name *string
		id   metadata.UUID
	}
	var targets []target
	if req.Version < 6 {
		for _, n := range req.TopicNames {
			targets = append(targets, target{name: kmsg.StringPtr(n)})
		}
	} else {
		for _, t := range req.Topics {
			targets = append(targets, target{name: t.Topic, id: metadata.UUID(t.TopicID)})
		}
	}
	seenName := map[string]int{}
	seenID := map[metadata.UUID]int{}
	for _, t := range targets {
		if t.name != nil {
			seenName[*t.name]++
		} else {
			seenID[t.id]++
		}
	}
	var recs []metadata.Record
	removed := map[metadata.UUID]bool{}
	for _, t := range targets {
		rt := kmsg.NewDeleteTopicsResponseTopic()
		rt.Topic = t.name
		if req.Version >= 6 {
			rt.TopicID = t.id
		}
		var code *kerr.Error
		var msg string
		var topic *metadata.Topic
		switch {
		case t.name != nil && !t.id.IsZero():
			code, msg = kerr.InvalidRequest, "You may not specify both topic name and topic id."
		case t.name != nil && seenName[*t.name] > 1, t.name == nil && seenID[t.id] > 1:
			code, msg = kerr.InvalidRequest, "Duplicate topic name."
			if t.name == nil {
				msg = "Duplicate topic id."
			}
		case t.name != nil:
			if topic = c.spec.TopicsByName[*t.name]; topic == nil {
				code, msg = kerr.UnknownTopicOrPartition, "This server does not host this topic-partition."
			}
		default:
			if topic = c.spec.TopicsByID[t.id]; topic == nil || t.id.IsZero() {
				topic = nil
				code, msg = kerr.UnknownTopicID, "This server does not host this topic ID."
			}
		}
		if code == nil && c.cfg.DeleteTopicDisable {
			code, msg = kerr.TopicDeletionDisabled, "Topic deletion is disabled."
		}
		if code != nil {
			rt.ErrorCode = code.Code
			if req.Version >= 5 {
				rt.ErrorMessage = kmsg.StringPtr(msg)
			}
		} else {
			if req.Version >= 6 {
				rt.TopicID = topic.ID
				rt.Topic = kmsg.StringPtr(topic.Name)
			}
			if !removed[topic.ID] {
				removed[topic.ID] = true
				recs = append(recs, &metadata.RemoveTopicRecord{TopicID: topic.ID})
			}
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return recs, resp, nil
}
