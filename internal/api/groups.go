package api

// Classic group APIs, answered by the group coordinator
// (internal/coordinator/group): JoinGroup v2-9 (KIP-394 member ids,
// KIP-345 static members), SyncGroup v0-5, Heartbeat v0-4, LeaveGroup v0-5,
// ListGroups v0-5 (state and type filters), DescribeGroups v0-6,
// DeleteGroups v0-2. __consumer_offsets is created through the controller
// the first time a group needs a coordinator, as Kafka auto-creates it.
// KIP-848 consumer groups: ConsumerGroupHeartbeat v0-1 and
// ConsumerGroupDescribe v0-1. Differs from Kafka: no ACL checks
// (ConsumerGroupDescribe reports authorized operations as for a super user).

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/coordinator/group"
	"github.com/odradek/odradek/internal/network"
)

func clientHost(rc *network.RequestContext) string {
	if rc == nil || rc.ClientAddr == nil {
		return ""
	}
	if a, ok := rc.ClientAddr.(*net.TCPAddr); ok {
		return "/" + a.IP.String()
	}
	return "/" + rc.ClientAddr.String()
}

// ensureOffsetsTopic creates __consumer_offsets if it does not exist yet,
// with Kafka's settings for it, and waits until this broker hosts it.
func (b *Broker) ensureOffsetsTopic(ctx context.Context) error {
	if b.image().Topic(group.Topic) != nil {
		return nil
	}
	b.offsetsTopicMu.Lock()
	defer b.offsetsTopicMu.Unlock()
	if b.image().Topic(group.Topic) != nil {
		return nil
	}
	st := b.cfg.Static
	req := kmsg.NewPtrCreateTopicsRequest()
	req.TimeoutMillis = 30000
	t := kmsg.NewCreateTopicsRequestTopic()
	t.Topic = group.Topic
	t.NumPartitions = st.OffsetsTopicNumPartitions
	t.ReplicationFactor = st.OffsetsTopicReplicationFactor
	for k, v := range map[string]string{
		"cleanup.policy":   "compact",
		"compression.type": "producer",
		"segment.bytes":    strconv.Itoa(int(st.OffsetsTopicSegmentBytes)),
	} {
		c := kmsg.NewCreateTopicsRequestTopicConfig()
		c.Name, c.Value = k, kmsg.StringPtr(v)
		t.Configs = append(t.Configs, c)
	}
	req.Topics = append(req.Topics, t)
	resp, err := b.createTopics(ctx, req)
	if err != nil {
		return fmt.Errorf("creating %s: %w", group.Topic, err)
	}
	for _, rt := range resp.Topics {
		if rt.ErrorCode != 0 && rt.ErrorCode != kerr.TopicAlreadyExists.Code {
			msg := ""
			if rt.ErrorMessage != nil {
				msg = *rt.ErrorMessage
			}
			return fmt.Errorf("creating %s: %s: %w", group.Topic, msg, kerr.ErrorForCode(rt.ErrorCode))
		}
	}
	return nil
}

func (b *Broker) handleJoinGroup(ctx context.Context, rc *network.RequestContext, req *kmsg.JoinGroupRequest) kmsg.Response {
	clientID := ""
	if rc != nil {
		clientID = rc.Header.ClientID
	}
	return b.cfg.Groups.JoinGroup(ctx, req, clientID, clientHost(rc))
}

func (b *Broker) handleSyncGroup(ctx context.Context, req *kmsg.SyncGroupRequest) kmsg.Response {
	return b.cfg.Groups.SyncGroup(ctx, req)
}

func (b *Broker) handleHeartbeat(ctx context.Context, req *kmsg.HeartbeatRequest) kmsg.Response {
	return b.cfg.Groups.Heartbeat(ctx, req)
}

func (b *Broker) handleLeaveGroup(ctx context.Context, req *kmsg.LeaveGroupRequest) kmsg.Response {
	return b.cfg.Groups.LeaveGroup(ctx, req)
}

func (b *Broker) handleListGroups(req *kmsg.ListGroupsRequest) kmsg.Response {
	return b.cfg.Groups.ListGroups(req)
}

func (b *Broker) handleDescribeGroups(req *kmsg.DescribeGroupsRequest) kmsg.Response {
	return b.cfg.Groups.DescribeGroups(req)
}

func (b *Broker) handleDeleteGroups(ctx context.Context, req *kmsg.DeleteGroupsRequest) kmsg.Response {
	return b.cfg.Groups.DeleteGroups(ctx, req)
}

func (b *Broker) handleConsumerGroupHeartbeat(ctx context.Context, rc *network.RequestContext, req *kmsg.ConsumerGroupHeartbeatRequest) kmsg.Response {
	clientID := ""
	if rc != nil {
		clientID = rc.Header.ClientID
	}
	return b.cfg.Groups.ConsumerGroupHeartbeat(ctx, req, clientID, clientHost(rc))
}

func (b *Broker) handleConsumerGroupDescribe(req *kmsg.ConsumerGroupDescribeRequest) kmsg.Response {
	return b.cfg.Groups.ConsumerGroupDescribe(req)
}
