package api

// Metadata v0-13: brokers, cluster id, controller, topics with ids and
// partitions; topics are created on demand when auto.create.topics.enable is
// on and the request allows it.

import (
	"context"
	"math"
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/network"
)

// allTopicOperations is the authorized-operations bit set for a topic when
// no authorizer is configured: READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE,
// DESCRIBE_CONFIGS, ALTER_CONFIGS.
const allTopicOperations = 1<<3 | 1<<4 | 1<<5 | 1<<6 | 1<<7 | 1<<8 | 1<<10 | 1<<11

func (b *Broker) handleMetadata(ctx context.Context, rc *network.RequestContext, req *kmsg.MetadataRequest) *kmsg.MetadataResponse {
	resp := kmsg.NewPtrMetadataResponse()
	img := b.image()

	if req.Topics != nil && b.cfg.Static.AutoCreateTopicsEnable && (req.Version < 4 || req.AllowAutoTopicCreation) {
		var missing []string
		for _, t := range req.Topics {
			if t.Topic != nil && img.Topic(*t.Topic) == nil && metadata.ValidateTopicName(*t.Topic) == nil && !isInternalTopic(*t.Topic) {
				missing = append(missing, *t.Topic)
			}
		}
		if len(missing) > 0 {
			b.autoCreateTopics(ctx, missing)
			img = b.image()
		}
	}

	resp.Brokers = b.brokersFor(img, rc.ListenerName)
	resp.ClusterID = &img.ClusterID
	resp.ControllerID = b.cfg.ControllerID()

	var topics []*metadata.Topic
	var unknown []kmsg.MetadataResponseTopic
	if req.Topics == nil {
		for _, name := range img.TopicNames() {
			topics = append(topics, img.Topic(name))
		}
	} else {
		for _, rt := range req.Topics {
			var t *metadata.Topic
			switch {
			case rt.Topic != nil:
				t = img.Topic(*rt.Topic)
			case rt.TopicID != [16]byte{}:
				t = img.TopicByID(metadata.UUID(rt.TopicID))
			}
			if t != nil {
				topics = append(topics, t)
				continue
			}
			mt := kmsg.NewMetadataResponseTopic()
			mt.Topic = rt.Topic
			mt.TopicID = rt.TopicID
			switch {
			case rt.Topic == nil:
				mt.ErrorCode = kerr.UnknownTopicID.Code
			case metadata.ValidateTopicName(*rt.Topic) != nil:
				mt.ErrorCode = kerr.InvalidTopicException.Code
			default:
				mt.ErrorCode = kerr.UnknownTopicOrPartition.Code
			}
			mt.AuthorizedOperations = math.MinInt32
			unknown = append(unknown, mt)
		}
	}
	for _, t := range topics {
		mt := kmsg.NewMetadataResponseTopic()
		name := t.Name
		mt.Topic = &name
		mt.TopicID = t.ID
		mt.IsInternal = isInternalTopic(t.Name)
		mt.AuthorizedOperations = math.MinInt32
		if req.IncludeTopicAuthorizedOperations {
			mt.AuthorizedOperations = allTopicOperations
		}
		for _, id := range t.SortedPartitionIDs() {
			p := t.Partitions[id]
			mp := kmsg.NewMetadataResponseTopicPartition()
			mp.Partition = id
			mp.Leader = p.Leader
			mp.LeaderEpoch = p.LeaderEpoch
			mp.Replicas = append([]int32(nil), p.Replicas...)
			mp.ISR = append([]int32(nil), p.ISR...)
			mp.OfflineReplicas = offlineReplicas(img, p)
			if p.Leader < 0 {
				mp.ErrorCode = kerr.LeaderNotAvailable.Code
			} else if br := img.Brokers[p.Leader]; br == nil || br.Fenced {
				mp.ErrorCode = kerr.LeaderNotAvailable.Code
			}
			mt.Partitions = append(mt.Partitions, mp)
		}
		resp.Topics = append(resp.Topics, mt)
	}
	resp.Topics = append(resp.Topics, unknown...)
	if req.IncludeClusterAuthorizedOperations {
		resp.AuthorizedOperations = math.MinInt32
	}
	return resp
}

// brokersFor lists unfenced brokers with their endpoint on the listener the
// request arrived on, as Kafka does.
func (b *Broker) brokersFor(img *metadata.Image, listener string) []kmsg.MetadataResponseBroker {
	var out []kmsg.MetadataResponseBroker
	for _, id := range img.BrokerIDs() {
		br := img.Brokers[id]
		if br.Fenced {
			continue
		}
		ep, ok := br.Endpoint(listener)
		if !ok {
			continue
		}
		mb := kmsg.NewMetadataResponseBroker()
		mb.NodeID = id
		mb.Host = ep.Host
		mb.Port = int32(ep.Port)
		if br.Rack != "" {
			rack := br.Rack
			mb.Rack = &rack
		}
		out = append(out, mb)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].NodeID < out[j].NodeID })
	return out
}

func offlineReplicas(img *metadata.Image, p *metadata.Partition) []int32 {
	var off []int32
	for _, r := range p.Replicas {
		if br := img.Brokers[r]; br == nil || br.Fenced {
			off = append(off, r)
		}
	}
	return off
}

func isInternalTopic(name string) bool {
	return name == "__consumer_offsets" || name == "__transaction_state" || name == "__share_group_state"
}

// autoCreateTopics asks the controller for topics with the broker defaults;
// failures are logged and the topic then shows as unknown, as in Kafka.
func (b *Broker) autoCreateTopics(ctx context.Context, names []string) {
	req := kmsg.NewPtrCreateTopicsRequest()
	req.Version = 7
	req.TimeoutMillis = 30000
	for _, n := range names {
		t := kmsg.NewCreateTopicsRequestTopic()
		t.Topic = n
		t.NumPartitions = -1
		t.ReplicationFactor = -1
		req.Topics = append(req.Topics, t)
	}
	if _, err := b.createTopics(ctx, req); err != nil {
		b.log.Warn("auto-creating topics failed", "topics", names, "err", err)
	}
}
