package api

// DescribeCluster v0-2 and DescribeTopicPartitions v0 (KIP-966 paging by
// cursor and partition limit).

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/network"
)

const (
	endpointTypeBroker     int8 = 1
	endpointTypeController int8 = 2
)

func (b *Broker) handleDescribeCluster(rc *network.RequestContext, req *kmsg.DescribeClusterRequest) *kmsg.DescribeClusterResponse {
	img := b.image()
	resp := req.ResponseKind().(*kmsg.DescribeClusterResponse)
	// A controller listener describes the controllers (KIP-919: what an
	// admin client with bootstrap.controllers asks); a broker listener the
	// brokers. The other endpoint type is refused as Kafka refuses it.
	expected := int8(endpointTypeBroker)
	if slices.Contains(b.cfg.ControllerListeners, rc.ListenerName) {
		expected = endpointTypeController
	}
	if req.EndpointType != endpointTypeBroker && req.EndpointType != endpointTypeController {
		resp.ErrorCode = kerr.UnsupportedEndpointType.Code
		resp.ErrorMessage = kmsg.StringPtr(fmt.Sprintf("Unsupported endpoint type %d", req.EndpointType))
		return resp
	}
	if req.EndpointType != expected {
		resp.ErrorCode = kerr.MismatchedEndpointType.Code
		resp.ErrorMessage = kmsg.StringPtr(fmt.Sprintf("The request was sent to an endpoint of type %s, but we wanted an endpoint of type %s",
			endpointTypeName(expected), endpointTypeName(req.EndpointType)))
		return resp
	}
	resp.EndpointType = expected
	resp.ClusterID = img.ClusterID
	resp.ClusterAuthorizedOperations = math.MinInt32
	if expected == endpointTypeController {
		resp.Brokers = b.controllerNodes(rc.ListenerName)
	} else {
		resp.Brokers = brokerNodes(img, rc.ListenerName, req.IncludeFencedBrokers)
	}
	// As in Kafka, a controller id the node list does not hold is -1.
	resp.ControllerID = -1
	if id := b.cfg.ControllerID(); slices.ContainsFunc(resp.Brokers, func(n kmsg.DescribeClusterResponseBroker) bool { return n.NodeID == id }) {
		resp.ControllerID = id
	}
	return resp
}

func endpointTypeName(t int8) string {
	if t == endpointTypeController {
		return "CONTROLLER"
	}
	return "BROKER"
}

func brokerNodes(img *metadata.Image, listener string, includeFenced bool) []kmsg.DescribeClusterResponseBroker {
	var out []kmsg.DescribeClusterResponseBroker
	for _, id := range img.BrokerIDs() {
		br := img.Brokers[id]
		if br.Fenced && !includeFenced {
			continue
		}
		ep, ok := br.Endpoint(listener)
		if !ok {
			continue
		}
		rb := kmsg.NewDescribeClusterResponseBroker()
		rb.NodeID, rb.Host, rb.Port, rb.IsFenced = id, ep.Host, ep.Port, br.Fenced
		if br.Rack != "" {
			rack := br.Rack
			rb.Rack = &rack
		}
		out = append(out, rb)
	}
	return out
}

// controllerNodes lists the controllers reachable on listener.
func (b *Broker) controllerNodes(listener string) []kmsg.DescribeClusterResponseBroker {
	var out []kmsg.DescribeClusterResponseBroker
	if b.cfg.ControllerEndpoints == nil {
		return nil
	}
	for _, n := range b.cfg.ControllerEndpoints() {
		for _, l := range n.Listeners {
			if l.Name != listener {
				continue
			}
			rb := kmsg.NewDescribeClusterResponseBroker()
			rb.NodeID, rb.Host, rb.Port = n.ID, l.Host, int32(l.Port)
			out = append(out, rb)
		}
	}
	return out
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
