package raft

import (
	"github.com/twmb/franz-go/pkg/kmsg"
)

// MetadataTopic is the metadata log's topic name.
const MetadataTopic = "__cluster_metadata"

// DescribeQuorumResponse renders the status as Kafka's DescribeQuorum
// answer at version. voters supply the v2+ node endpoints under
// listenerName (the first controller listener). Fetch and caught-up times
// are known only for this node (nowMs); others report -1.
func (s QuorumStatus) DescribeQuorumResponse(version int16, self int32, nowMs int64, voters []Voter, listenerName string) *kmsg.DescribeQuorumResponse {
	resp := kmsg.NewPtrDescribeQuorumResponse()
	resp.Version = version
	t := kmsg.NewDescribeQuorumResponseTopic()
	t.Topic = MetadataTopic
	p := kmsg.NewDescribeQuorumResponseTopicPartition()
	p.Partition = 0
	p.LeaderID, p.LeaderEpoch, p.HighWatermark = s.LeaderID, int32(s.LeaderEpoch), s.HighWatermark
	state := func(r ReplicaState) kmsg.DescribeQuorumResponseTopicPartitionReplicaState {
		rs := kmsg.NewDescribeQuorumResponseTopicPartitionReplicaState()
		rs.ReplicaID, rs.LogEndOffset = r.NodeID, r.LogEndOffset
		rs.LastFetchTimestamp, rs.LastCaughtUpTimestamp = -1, -1
		if r.NodeID == self {
			rs.LastFetchTimestamp, rs.LastCaughtUpTimestamp = nowMs, nowMs
		}
		return rs
	}
	for _, r := range s.Voters {
		p.CurrentVoters = append(p.CurrentVoters, state(r))
	}
	for _, r := range s.Observers {
		p.Observers = append(p.Observers, state(r))
	}
	t.Partitions = append(t.Partitions, p)
	resp.Topics = append(resp.Topics, t)
	if version >= 2 {
		for _, v := range voters {
			n := kmsg.NewDescribeQuorumResponseNode()
			n.NodeID = v.NodeID
			if v.Host != "" {
				l := kmsg.NewDescribeQuorumResponseNodeListener()
				l.Name, l.Host, l.Port = listenerName, v.Host, uint16(v.Port)
				n.Listeners = append(n.Listeners, l)
			}
			resp.Nodes = append(resp.Nodes, n)
		}
	}
	return resp
}
