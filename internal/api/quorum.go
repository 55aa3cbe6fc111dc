package api

// DescribeQuorum v0-2 (KIP-595, KIP-853) for the metadata quorum: the
// leader, epoch and high watermark of __cluster_metadata-0, each voter's
// and observer's progress, and (v2) the voters' controller endpoints. It is
// answered by any node from its own raft state, so kafka-metadata-quorum
// works through --bootstrap-server and --bootstrap-controller alike (a
// Kafka broker forwards the request to the active controller).

import (
	"context"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// QuorumDescription is the quorum as this node sees it.
type QuorumDescription struct {
	LeaderID      int32 // -1 when unknown
	LeaderEpoch   int32
	HighWatermark int64
	Voters        []QuorumReplica
	Observers     []QuorumReplica
	// Nodes are the voters' controller listeners (v2).
	Nodes []QuorumNode
}

// QuorumReplica is one replica's progress; timestamps are unix millis or -1.
type QuorumReplica struct {
	ID                    int32
	DirectoryID           [16]byte
	LogEndOffset          int64
	LastFetchTimestamp    int64
	LastCaughtUpTimestamp int64
}

// QuorumNode is a voter and its controller listeners.
type QuorumNode struct {
	ID        int32
	Listeners []QuorumListener
}

// QuorumListener is one controller endpoint.
type QuorumListener struct {
	Name string
	Host string
	Port uint16
}

const metadataTopic = "__cluster_metadata"

func (b *Broker) handleDescribeQuorum(ctx context.Context, req *kmsg.DescribeQuorumRequest) *kmsg.DescribeQuorumResponse {
	resp := req.ResponseKind().(*kmsg.DescribeQuorumResponse)
	var desc QuorumDescription
	var descErr error
	described := false
	for _, rt := range req.Topics {
		t := kmsg.NewDescribeQuorumResponseTopic()
		t.Topic = rt.Topic
		for _, rp := range rt.Partitions {
			p := kmsg.NewDescribeQuorumResponseTopicPartition()
			p.Partition = rp.Partition
			p.LeaderID, p.LeaderEpoch, p.HighWatermark = -1, -1, -1
			if rt.Topic != metadataTopic || rp.Partition != 0 {
				p.ErrorCode = kerr.UnknownTopicOrPartition.Code
				p.ErrorMessage = kmsg.StringPtr("The metadata quorum is partition 0 of " + metadataTopic)
				t.Partitions = append(t.Partitions, p)
				continue
			}
			if !described {
				desc, descErr = b.cfg.Quorum(ctx)
				described = true
			}
			if descErr != nil {
				p.ErrorCode = kerr.NotLeaderForPartition.Code
				p.ErrorMessage = kmsg.StringPtr(descErr.Error())
				t.Partitions = append(t.Partitions, p)
				continue
			}
			p.LeaderID, p.LeaderEpoch, p.HighWatermark = desc.LeaderID, desc.LeaderEpoch, desc.HighWatermark
			p.CurrentVoters = quorumReplicas(desc.Voters)
			p.Observers = quorumReplicas(desc.Observers)
			t.Partitions = append(t.Partitions, p)
		}
		resp.Topics = append(resp.Topics, t)
	}
	if described && descErr == nil {
		for _, n := range desc.Nodes {
			rn := kmsg.NewDescribeQuorumResponseNode()
			rn.NodeID = n.ID
			for _, l := range n.Listeners {
				rl := kmsg.NewDescribeQuorumResponseNodeListener()
				rl.Name, rl.Host, rl.Port = l.Name, l.Host, l.Port
				rn.Listeners = append(rn.Listeners, rl)
			}
			resp.Nodes = append(resp.Nodes, rn)
		}
	}
	return resp
}

func quorumReplicas(in []QuorumReplica) []kmsg.DescribeQuorumResponseTopicPartitionReplicaState {
	out := make([]kmsg.DescribeQuorumResponseTopicPartitionReplicaState, 0, len(in))
	for _, r := range in {
		s := kmsg.NewDescribeQuorumResponseTopicPartitionReplicaState()
		s.ReplicaID, s.ReplicaDirectoryID = r.ID, r.DirectoryID
		s.LogEndOffset = r.LogEndOffset
		s.LastFetchTimestamp, s.LastCaughtUpTimestamp = r.LastFetchTimestamp, r.LastCaughtUpTimestamp
		out = append(out, s)
	}
	return out
}
