package raft

import (
	"context"
	"time"

	etcdraft "go.etcd.io/raft/v3"
)

// Observer receives quorum latencies for metrics. Calls come from the
// node's goroutine and must not block.
type Observer interface {
	// CommitLatency is the time from a proposal being queued on this node
	// (the leader) to its entry committing.
	CommitLatency(d time.Duration)
	// ElectionLatency is the time from this node starting an election (or
	// pre-vote) to a leader being known.
	ElectionLatency(d time.Duration)
}

// QuorumMetrics is the quorum state Kafka's raft-metrics report, as seen
// from this node.
type QuorumMetrics struct {
	// State is Kafka's current-state name: leader, candidate, prospective
	// (pre-vote), voted, follower, unattached or observer.
	State    string
	LeaderID int32 // -1 when unknown
	Epoch    int64
	VotedID  int32 // -1 when no vote in this epoch
	// HighWatermark and LogEndOffset are exclusive offsets.
	HighWatermark int64
	LogEndOffset  int64
	LogEndEpoch   int64
	// AppliedOffset is the next offset to hand to listeners.
	AppliedOffset int64
	Voters        int
	Observers     int
}

// Metrics returns the quorum state for a scrape. It runs on the node's
// goroutine, so it waits behind whatever the node is doing.
func (n *Node) Metrics(ctx context.Context) (QuorumMetrics, error) {
	ch := make(chan QuorumMetrics, 1)
	fn := func() { ch <- n.quorumMetrics() }
	select {
	case n.callc <- fn:
	case <-n.stopc:
		return QuorumMetrics{}, ErrClosed
	case <-ctx.Done():
		return QuorumMetrics{}, ctx.Err()
	}
	select {
	case m := <-ch:
		return m, nil
	case <-ctx.Done():
		return QuorumMetrics{}, ctx.Err()
	}
}

func (n *Node) quorumMetrics() QuorumMetrics {
	st := n.rn.Status()
	last, _ := n.storage.LastIndex()
	lastTerm, _ := n.storage.Term(last)
	voters := st.Config.Voters.IDs()
	m := QuorumMetrics{
		LeaderID:      nodeIDOf(st.Lead),
		Epoch:         int64(st.GetTerm()),
		VotedID:       nodeIDOf(st.GetVote()),
		HighWatermark: int64(st.GetCommit()),
		LogEndOffset:  int64(last),
		LogEndEpoch:   int64(lastTerm),
		AppliedOffset: int64(n.appliedIndex),
		Voters:        len(voters),
		Observers:     len(st.Config.Learners),
	}
	_, isVoter := voters[st.ID]
	m.State = kafkaState(st.RaftState, isVoter, st.Lead != 0, st.GetVote() != 0)
	return m
}

// kafkaState names an etcd raft state the way Kafka's KRaft does.
func kafkaState(s etcdraft.StateType, voter, leaderKnown, voted bool) string {
	switch {
	case s == etcdraft.StateLeader:
		return "leader"
	case s == etcdraft.StateCandidate:
		return "candidate"
	case s == etcdraft.StatePreCandidate:
		return "prospective"
	case !voter:
		return "observer"
	case leaderKnown:
		return "follower"
	case voted:
		return "voted"
	}
	return "unattached"
}

// electionClock times elections for the Observer; owned by the run
// goroutine.
type electionClock struct {
	start time.Time
}

// electionStarted notes that this node begins campaigning now (unless an
// election is already being timed).
func (n *Node) electionStarted(now time.Time) {
	if n.elections.start.IsZero() {
		n.elections.start = now
	}
}

// noteElection watches state changes: entering (pre-)candidacy starts the
// clock, learning of a leader stops it.
func (n *Node) noteElection(now time.Time) {
	st := n.rn.BasicStatus()
	switch {
	case st.RaftState == etcdraft.StateCandidate || st.RaftState == etcdraft.StatePreCandidate:
		n.electionStarted(now)
	case st.Lead != 0 && !n.elections.start.IsZero():
		if n.cfg.Observer != nil {
			n.cfg.Observer.ElectionLatency(now.Sub(n.elections.start))
		}
		n.elections.start = time.Time{}
	}
}

// observeCommit reports a committed proposal's latency.
func (n *Node) observeCommit(p *proposal, now time.Time) {
	if n.cfg.Observer != nil && !p.queued.IsZero() {
		n.cfg.Observer.CommitLatency(now.Sub(p.queued))
	}
}
