package raft

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/odradek/odradek/internal/clock"
)

// awaitLeader ticks the shared clock until every live node agrees on one
// leader among them.
func awaitLeader(t *testing.T, clk *clock.Manual, net *MemNetwork, nodes map[int32]*Node) int32 {
	t.Helper()
	for i := 0; i < 10000; i++ {
		clk.Advance(100 * time.Millisecond)
		net.Settle()
		leader := int32(-2)
		agreed := true
		for _, n := range nodes {
			l, _ := n.Leader()
			if leader == -2 {
				leader = l
			} else if l != leader {
				agreed = false
			}
		}
		if agreed && nodes[leader] != nil {
			return leader
		}
	}
	for id, n := range nodes {
		l, e := n.Leader()
		t.Logf("node %d: leader %d epoch %d", id, l, e)
	}
	t.Fatal("no leader elected")
	return -1
}

func TestThreeVoterCluster(t *testing.T) {
	clk := clock.NewManual(time.Unix(0, 0))
	net := NewMemNetwork()
	defer net.Close()
	voters := []Voter{{NodeID: 1}, {NodeID: 2}, {NodeID: 3}}
	nodes := map[int32]*Node{}
	recs := map[int32]*recorder{}
	for _, v := range voters {
		n, err := Open(Config{NodeID: v.NodeID, MetadataLogDir: t.TempDir(), Voters: voters, Clock: clk, Transport: net})
		if err != nil {
			t.Fatal(err)
		}
		recs[v.NodeID] = newRecorder()
		n.AddListener(recs[v.NodeID])
		net.Attach(v.NodeID, n)
		nodes[v.NodeID] = n
	}
	for _, n := range nodes {
		n.Start()
	}
	defer func() {
		for _, n := range nodes {
			n.Close()
		}
	}()
	ctx := context.Background()
	leader := awaitLeader(t, clk, net, nodes)
	for id, n := range nodes {
		if id != leader {
			if _, err := n.Propose(ctx, [][]byte{[]byte("x")}); err != ErrNotLeader {
				t.Fatalf("follower propose: %v", err)
			}
		}
	}
	var last int64
	for i := 0; i < 5; i++ {
		off, err := nodes[leader].Propose(ctx, [][]byte{[]byte(fmt.Sprintf("r%d", i))})
		if err != nil {
			t.Fatal(err)
		}
		last = off
	}
	for _, r := range recs {
		r.waitOffset(t, last)
	}
	st, err := nodes[leader].Status(ctx)
	if err != nil || st.LeaderID != leader || len(st.Voters) != 3 || st.HighWatermark < last+1 {
		t.Fatalf("status %+v %v", st, err)
	}

	// The leader dies; the other two elect a new one and keep committing.
	net.Detach(leader)
	nodes[leader].Close()
	delete(nodes, leader)
	delete(recs, leader)
	newLeader := awaitLeader(t, clk, net, nodes)
	off, err := nodes[newLeader].Propose(ctx, [][]byte{[]byte("after failover")})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		r.waitOffset(t, off)
		got := r.dataRecords()
		if got[len(got)-1] != fmt.Sprintf("%d:after failover", off) || len(got) != 6 {
			t.Fatalf("records on survivor: %v", got)
		}
	}
}
