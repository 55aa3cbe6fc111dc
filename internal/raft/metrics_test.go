package raft

import (
	"context"
	"sync"
	"testing"
	"time"

	etcdraft "go.etcd.io/raft/v3"

	"github.com/odradek/odradek/internal/clock"
)

func TestKafkaState(t *testing.T) {
	tests := []struct {
		state                     etcdraft.StateType
		voter, leaderKnown, voted bool
		want                      string
	}{
		{etcdraft.StateLeader, true, true, true, "leader"},
		{etcdraft.StateCandidate, true, false, true, "candidate"},
		{etcdraft.StatePreCandidate, true, false, false, "prospective"},
		{etcdraft.StateFollower, true, true, true, "follower"},
		{etcdraft.StateFollower, true, false, true, "voted"},
		{etcdraft.StateFollower, true, false, false, "unattached"},
		{etcdraft.StateFollower, false, true, false, "observer"},
	}
	for _, tc := range tests {
		if got := kafkaState(tc.state, tc.voter, tc.leaderKnown, tc.voted); got != tc.want {
			t.Errorf("kafkaState(%v, voter=%v, leader=%v, voted=%v) = %q, want %q", tc.state, tc.voter, tc.leaderKnown, tc.voted, got, tc.want)
		}
	}
}

type latencies struct {
	mu                 sync.Mutex
	commits, elections int
}

func (l *latencies) CommitLatency(time.Duration) {
	l.mu.Lock()
	l.commits++
	l.mu.Unlock()
}

func (l *latencies) ElectionLatency(time.Duration) {
	l.mu.Lock()
	l.elections++
	l.mu.Unlock()
}

func TestQuorumMetricsOfOneVoter(t *testing.T) {
	obs := &latencies{}
	n, err := Open(Config{NodeID: 1, MetadataLogDir: t.TempDir(), Voters: []Voter{{NodeID: 1, Host: "127.0.0.1", Port: 1}},
		Clock: clock.NewManual(time.Unix(0, 0)), Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	n.Start()
	defer n.Close()
	ctx := context.Background()
	off, err := n.Propose(ctx, [][]byte{[]byte("r")})
	if err != nil {
		t.Fatal(err)
	}
	m, err := n.Metrics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m.State != "leader" || m.LeaderID != 1 || m.VotedID != 1 || m.Voters != 1 || m.Observers != 0 || m.Epoch < 1 {
		t.Fatalf("metrics = %+v, want a sole leader voter", m)
	}
	if m.HighWatermark != off+1 || m.LogEndOffset != off+1 || m.LogEndEpoch != m.Epoch {
		t.Fatalf("metrics = %+v, want high watermark and log end %d in epoch %d", m, off+1, m.Epoch)
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if obs.commits != 1 || obs.elections != 1 {
		t.Fatalf("observed %d commits and %d elections, want 1 and 1", obs.commits, obs.elections)
	}
}
