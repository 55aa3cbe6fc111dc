package api

// DescribeCluster v0-2 and DescribeTopicPartitions v0 (KIP-966 paging by
// cursor and partition limit).

import (
	"math"
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/network"
)

const (
	endpointTypeBroker     = 1
	endpointTypeController = 2
)

func (b *Broker) handleDescribeCluster(rc *network.RequestContext, req *kmsg.DescribeClusterRequest) *kmsg.DescribeClusterResponse {
	img := b.image()
	resp := req.ResponseKind().(*kmsg.DescribeClusterResponse)
	resp.EndpointType = req.EndpointType
	if req.Version >= 1 && req.EndpointType != endpointTypeBroker {
		resp.ErrorCode = kerr.UnsupportedEndpointType.Code
		resp.ErrorMessage = kmsg.StringPtr("brokers answer DescribeCluster only for broker endpoints")
		return resp
	}
	resp.ClusterID = img.ClusterID
	resp.ControllerID = b.cfg.ControllerID()
	resp.ClusterAuthorizedOperations = math.MinInt32
	for _, id := range img.BrokerIDs() {
		br := img.Brokers[id]
		if br.Fenced && !req.IncludeFencedBrokers {
			continue
		}
		ep, ok := br.Endpoint(rc.ListenerName)
		if !ok {
			continue
		}
		rb := kmsg.NewDescribeClusterResponseBroker()
		rb.NodeID, rb.Host, rb.Port, rb.IsFenced = id, ep.Host, ep.Port, br.Fenced
		if br.Rack != "" {
			rack := br.Rack
			rb.Rack = &rack
		}
		resp.Brokers = append(resp.Brokers, rb)
	}
	return resp
}

func (b *Broker) handleDescribeTopicPartitions(rc *network.RequestContext, req *kmsg.DescribeTopicPartitionsRequest) *kmsg.DescribeTopicPartitionsResponse {
	img := b.image()
	resp := req.ResponseKind().(*kmsg.DescribeTopicPartitionsResponse)
	var names []string
	if len(req.Topics) == 0 {
		names = img.TopicNames()
	} else {
		for _, t := range req.Topics {
			names = append(names, t.Topic)
		}
		sort.Strings(names)
	}
	limit := int(req.ResponsePartitionLimit)
	if limit <= 0 || limit > 2000 {
		limit = 2000
	}
	started := req.Cursor == nil
	for _, name := range names {
		firstPartition := int32(0)
		if !started {
			if name < req.Cursor.Topic {
				continue
			}
			if name == req.Cursor.Topic {
				firstPartition = req.Cursor.Partition
			}
			started = true
		}
		t := img.Topic(name)
		rt := kmsg.NewDescribeTopicPartitionsResponseTopic()
		n := name
		rt.Topic = &n
		rt.AuthorizedOperations = allTopicOperations
		if t == nil {
			rt.ErrorCode = kerr.UnknownTopicOrPartition.Code
			resp.Topics = append(resp.Topics, rt)
			continue
		}
		rt.TopicID = t.ID
		rt.IsInternal = isInternalTopic(name)
		for _, pid := range t.SortedPartitionIDs() {
			if pid < firstPartition {
				continue
			}
			if limit == 0 {
				resp.NextCursor = &kmsg.DescribeTopicPartitionsResponseNextCursor{Topic: name, Partition: pid}
				break
			}
			rt.Partitions = append(rt.Partitions, describePartition(img, t.Partitions[pid]))
			limit--
		}
		resp.Topics = append(resp.Topics, rt)
		if resp.NextCursor != nil {
			break
		}
	}
	return resp
}

func describePartition(img *metadata.Image, p *metadata.Partition) kmsg.DescribeTopicPartitionsResponseTopicPartition {
	rp := kmsg.NewDescribeTopicPartitionsResponseTopicPartition()
	rp.Partition = p.ID
	rp.LeaderID = p.Leader
	rp.LeaderEpoch = p.LeaderEpoch
	rp.Replicas = append([]int32(nil), p.Replicas...)
	rp.ISR = append([]int32(nil), p.ISR...)
	rp.OfflineReplicas = offlineReplicas(img, p)
	// Non-null lists: Kafka's own clients dereference them.
	rp.EligibleLeaderReplicas, rp.LastKnownELR = []int32{}, []int32{}
	if rp.OfflineReplicas == nil {
		rp.OfflineReplicas = []int32{}
	}
	if p.Leader < 0 {
		rp.ErrorCode = kerr.LeaderNotAvailable.Code
	}
	return rp
}
