package controller

import (
	"math/rand"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/raft"
)

type member struct {
	raft   *raft.Node
	loader *metadata.Loader
	ctrl   *Controller
}

func (m *member) close() {
	m.ctrl.Close()
	m.raft.Close()
	m.loader.Close()
}

// awaitController ticks the clock until one live member is the active
// controller and every live member agrees on the raft leader.
func awaitController(t *testing.T, clk *clock.Manual, net *raft.MemNetwork, ms map[int32]*member) int32 {
	t.Helper()
	for i := 0; i < 10000; i++ {
		clk.Advance(100 * time.Millisecond)
		net.Settle()
		leader, agreed := int32(-2), true
		for _, m := range ms {
			l, _ := m.raft.Leader()
			if leader == -2 {
				leader = l
			} else if l != leader {
				agreed = false
			}
		}
		if agreed && ms[leader] != nil {
			if err := ms[leader].ctrl.WaitReady(ctx); err != nil {
				t.Fatal(err)
			}
			return leader
		}
	}
	t.Fatal("no controller elected")
	return -1
}

func TestControllerFailover(t *testing.T) {
	clk := clock.NewManual(time.Unix(1000, 0))
	net := raft.NewMemNetwork()
	defer net.Close()
	voters := []raft.Voter{{NodeID: 1}, {NodeID: 2}, {NodeID: 3}}
	ms := map[int32]*member{}
	for _, v := range voters {
		rn, err := raft.Open(raft.Config{NodeID: v.NodeID, MetadataLogDir: t.TempDir(), Voters: voters, Clock: clk,
			Transport: net, ClusterID: "cid", Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		ld := metadata.NewLoader("cid", rn, quiet)
		rn.AddListener(ld)
		c := New(Config{NodeID: v.NodeID, ClusterID: "cid", Clock: clk, Rand: rand.New(rand.NewSource(int64(v.NodeID))), Logger: quiet}, rn, ld)
		ms[v.NodeID] = &member{raft: rn, loader: ld, ctrl: c}
		net.Attach(v.NodeID, rn)
	}
	for _, m := range ms {
		m.ctrl.Start()
		m.raft.Start()
	}
	defer func() {
		for _, m := range ms {
			m.close()
		}
	}()
	leader := awaitController(t, clk, net, ms)
	active := ms[leader].ctrl

	epochs := map[int32]int64{}
	for id := int32(1); id <= 3; id++ {
		req := kmsg.NewPtrBrokerRegistrationRequest()
		req.BrokerID, req.ClusterID, req.IncarnationID = id, "cid", [16]byte{byte(id)}
		r, err := active.RegisterBroker(ctx, req)
		if err != nil || r.ErrorCode != 0 {
			t.Fatal(err, r)
		}
		epochs[id] = r.BrokerEpoch
	}
	heartbeat := func(c *Controller) {
		for id, e := range epochs {
			hb := kmsg.NewPtrBrokerHeartbeatRequest()
			hb.BrokerID, hb.BrokerEpoch, hb.CurrentMetadataOffset = id, e, 1<<40
			if r, err := c.BrokerHeartbeat(ctx, hb); err != nil || r.ErrorCode != 0 {
				t.Fatal(err, r)
			}
		}
	}
	heartbeat(active)
	r, err := active.CreateTopics(ctx, createReq(7, false, topic("before", 3, 3)))
	if err != nil || r.Topics[0].ErrorCode != 0 {
		t.Fatal(err, r)
	}
	for id, m := range ms {
		if id == leader {
			continue
		}
		if _, err := m.ctrl.CreateTopics(ctx, createReq(7, false, topic("x", 1, 1))); err != kerr.NotController {
			t.Fatalf("follower %d: %v", id, err)
		}
	}

	// The active controller's node dies.
	net.Detach(leader)
	ms[leader].close()
	delete(ms, leader)
	newLeader := awaitController(t, clk, net, ms)
	active = ms[newLeader].ctrl
	heartbeat(active)
	r, err = active.CreateTopics(ctx, createReq(7, false, topic("before", 1, 1), topic("after", 2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if r.Topics[0].ErrorCode != kerr.TopicAlreadyExists.Code || r.Topics[1].ErrorCode != 0 {
		t.Fatalf("after failover: %+v", r.Topics)
	}
	for _, m := range ms {
		if err := m.loader.WaitForOffset(ctx, ms[newLeader].loader.Image().Offset); err != nil {
			t.Fatal(err)
		}
		im := m.loader.Image()
		if im.Topic("before") == nil || im.Topic("after") == nil {
			t.Fatalf("survivor image: %v", im.TopicNames())
		}
	}
}
