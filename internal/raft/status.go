package raft

import (
	"context"
	"sort"

	etcdraft "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// QuorumStatus is what DescribeQuorum reports.
type QuorumStatus struct {
	LeaderID    int32 // -1 if unknown
	LeaderEpoch int64
	// HighWatermark is exclusive: every offset below it is committed.
	HighWatermark int64
	// Voters and Observers carry log end offsets as known to the leader; on
	// a follower only this node's own entry is filled in.
	Voters    []ReplicaState
	Observers []ReplicaState
}

// ReplicaState is one replica's progress.
type ReplicaState struct {
	NodeID       int32
	LogEndOffset int64 // -1 if unknown
}

// Status returns the quorum's state as seen from this node.
func (n *Node) Status(ctx context.Context) (QuorumStatus, error) {
	ch := make(chan QuorumStatus, 1)
	fn := func() { ch <- n.status() }
	select {
	case n.callc <- fn:
	case <-n.stopc:
		return QuorumStatus{}, ErrClosed
	case <-ctx.Done():
		return QuorumStatus{}, ctx.Err()
	}
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		return QuorumStatus{}, ctx.Err()
	}
}

// ReportUnreachable tells raft a voter could not be reached (for the
// Transport), so the leader stops pipelining to it.
func (n *Node) ReportUnreachable(nodeID int32) {
	select {
	case n.callc <- func() { n.rn.ReportUnreachable(raftID(nodeID)) }:
	case <-n.stopc:
	}
}

func (n *Node) status() QuorumStatus {
	st := n.rn.Status()
	qs := QuorumStatus{LeaderID: nodeIDOf(st.Lead), LeaderEpoch: int64(st.GetTerm()), HighWatermark: int64(st.GetCommit())}
	last, _ := n.storage.LastIndex()
	state := func(id uint64) ReplicaState {
		rs := ReplicaState{NodeID: nodeIDOf(id), LogEndOffset: -1}
		if id == st.ID {
			rs.LogEndOffset = int64(last)
		} else if pr, ok := st.Progress[id]; ok {
			rs.LogEndOffset = int64(pr.Match)
		}
		return rs
	}
	for _, id := range sortedIDs(st.Config.Voters.IDs()) {
		qs.Voters = append(qs.Voters, state(id))
	}
	learners := map[uint64]struct{}{}
	for id := range st.Config.Learners {
		learners[id] = struct{}{}
	}
	for _, id := range sortedIDs(learners) {
		qs.Observers = append(qs.Observers, state(id))
	}
	return qs
}

func sortedIDs(m map[uint64]struct{}) []uint64 {
	out := make([]uint64, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// reportSnapshots tells raft that snapshots handed to the Transport were
// sent. Delivery is not confirmed: if one is lost the follower rejects the
// next append and the leader sends it again.
func (n *Node) reportSnapshots(msgs []*pb.Message) {
	for _, m := range msgs {
		if m.GetType() == pb.MsgSnap {
			n.rn.ReportSnapshot(m.GetTo(), etcdraft.SnapshotFinish)
		}
	}
}
