package raft

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"

	"github.com/odradek/odradek/internal/clock"
)

// memNet is an in-memory Transport connecting nodes of one test; a stopped
// node's messages are dropped, as a dead process's would be.
type memNet struct {
	mu     sync.Mutex
	nodes  map[int32]*Node
	queues map[int32]chan *pb.Message
	wg     sync.WaitGroup
	stop   chan struct{}
}

func newMemNet() *memNet {
	return &memNet{nodes: map[int32]*Node{}, queues: map[int32]chan *pb.Message{}, stop: make(chan struct{})}
}

func (m *memNet) add(id int32, n *Node) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nodes[id] = n
	q := make(chan *pb.Message, 4096)
	m.queues[id] = q
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		for {
			select {
			case msg := <-q:
				n.Receive(msg)
			case <-m.stop:
				return
			}
		}
	}()
}

func (m *memNet) remove(id int32) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.queues, id)
}

func (m *memNet) Send(msgs []*pb.Message) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, msg := range msgs {
		if q, ok := m.queues[nodeIDOf(msg.GetTo())]; ok {
			select {
			case q <- proto.Clone(msg).(*pb.Message):
			default:
			}
		}
	}
}

// settle waits until no message is queued or being handled, so the
// manual clock never outruns the simulated network.
func (m *memNet) settle(nodes map[int32]*Node) {
	for quiet := 0; quiet < 3; {
		runtime.Gosched()
		busy := false
		m.mu.Lock()
		for _, q := range m.queues {
			busy = busy || len(q) > 0
		}
		m.mu.Unlock()
		for _, n := range nodes {
			busy = busy || len(n.recvc) > 0 || n.busy.Load() || len(n.propSig) > 0 || len(n.ticker.C()) > 0
		}
		if busy {
			quiet = 0
		} else {
			quiet++
		}
	}
}

func (m *memNet) close() {
	close(m.stop)
	m.wg.Wait()
}

// awaitLeader ticks the shared clock until every live node agrees on one
// leader among them.
func awaitLeader(t *testing.T, clk *clock.Manual, net *memNet, nodes map[int32]*Node) int32 {
	t.Helper()
	for i := 0; i < 10000; i++ {
		clk.Advance(100 * time.Millisecond)
		net.settle(nodes)
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
	net := newMemNet()
	defer net.close()
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
		net.add(v.NodeID, n)
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
	net.remove(leader)
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
