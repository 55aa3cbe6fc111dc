package controller

import (
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
)

func TestBrokerRegistrationErrors(t *testing.T) {
	n := newNode(t, t.TempDir(), nil)
	epoch := n.register(1, "")
	reg := func(id int32, cluster string, inc byte) *kmsg.BrokerRegistrationResponse {
		req := kmsg.NewPtrBrokerRegistrationRequest()
		req.BrokerID, req.ClusterID, req.IncarnationID = id, cluster, [16]byte{inc}
		resp, err := n.ctrl.RegisterBroker(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if r := reg(2, "other", 1); r.ErrorCode != kerr.InconsistentClusterID.Code {
		t.Fatalf("cluster id: %+v", r)
	}
	if r := reg(1, "cid", 77); r.ErrorCode != kerr.DuplicateBrokerRegistration.Code {
		t.Fatalf("duplicate: %+v", r)
	}
	// Retried registration of the same incarnation returns the same epoch.
	req := kmsg.NewPtrBrokerRegistrationRequest()
	req.BrokerID, req.ClusterID, req.IncarnationID = 1, "cid", [16]byte{1, 1}
	if r, _ := n.ctrl.RegisterBroker(ctx, req); r.ErrorCode != 0 || r.BrokerEpoch != epoch {
		t.Fatalf("retry: %+v", r)
	}
	hb := kmsg.NewPtrBrokerHeartbeatRequest()
	hb.BrokerID, hb.BrokerEpoch = 9, 1
	if r, _ := n.ctrl.BrokerHeartbeat(ctx, hb); r.ErrorCode != kerr.BrokerIDNotRegistered.Code {
		t.Fatalf("unknown broker heartbeat: %+v", r)
	}
	hb.BrokerID, hb.BrokerEpoch = 1, epoch+100
	if r, _ := n.ctrl.BrokerHeartbeat(ctx, hb); r.ErrorCode != kerr.StaleBrokerEpoch.Code {
		t.Fatalf("stale epoch: %+v", r)
	}
	if _, _, err := n.ctrl.AllocateProducerIDs(ctx, 1, epoch+100); err != kerr.StaleBrokerEpoch {
		t.Fatalf("producer ids stale: %v", err)
	}
	if _, _, err := n.ctrl.AllocateProducerIDs(ctx, 5, 0); err != kerr.BrokerIDNotRegistered {
		t.Fatalf("producer ids unknown: %v", err)
	}
}

func TestUnfenceNeedsCatchUp(t *testing.T) {
	n := newNode(t, t.TempDir(), nil)
	req := kmsg.NewPtrBrokerRegistrationRequest()
	req.BrokerID, req.ClusterID, req.IncarnationID = 1, "cid", [16]byte{3}
	r, err := n.ctrl.RegisterBroker(ctx, req)
	if err != nil || r.ErrorCode != 0 {
		t.Fatal(err, r)
	}
	if b := n.loader.Image().Brokers[1]; b == nil || !b.Fenced || b.Epoch != r.BrokerEpoch {
		t.Fatalf("registered broker %+v", b)
	}
	hb := kmsg.NewPtrBrokerHeartbeatRequest()
	hb.BrokerID, hb.BrokerEpoch, hb.CurrentMetadataOffset = 1, r.BrokerEpoch, 0
	hr, _ := n.ctrl.BrokerHeartbeat(ctx, hb)
	if hr.IsCaughtUp || !hr.IsFenced {
		t.Fatalf("behind broker: %+v", hr)
	}
	hb.CurrentMetadataOffset = n.loader.Image().Offset
	hr, _ = n.ctrl.BrokerHeartbeat(ctx, hb)
	if !hr.IsCaughtUp || hr.IsFenced || n.loader.Image().Brokers[1].Fenced {
		t.Fatalf("caught-up broker: %+v", hr)
	}
}

func TestSessionTimeoutFencesAndElects(t *testing.T) {
	n := newNode(t, t.TempDir(), nil)
	n.register(1, "")
	n.register(2, "")
	n.mustCreate("t", 4, 2)
	n.mustCreate("solo", 1, 1)
	led := map[int32]bool{}
	for _, p := range n.loader.Image().Topic("t").Partitions {
		led[p.Leader] = true
	}
	if !led[1] || !led[2] {
		t.Fatalf("leaders not spread: %v", led)
	}
	// Broker 2 keeps heartbeating, broker 1 goes silent.
	for i := 0; i < 5; i++ {
		n.clk.Advance(2 * time.Second)
		b2 := n.loader.Image().Brokers[2]
		hb := kmsg.NewPtrBrokerHeartbeatRequest()
		hb.BrokerID, hb.BrokerEpoch, hb.CurrentMetadataOffset = 2, b2.Epoch, n.loader.Image().Offset
		if _, err := n.ctrl.BrokerHeartbeat(ctx, hb); err != nil {
			t.Fatal(err)
		}
	}
	if err := n.ctrl.Barrier(ctx); err != nil {
		t.Fatal(err)
	}
	im := n.loader.Image()
	if !im.Brokers[1].Fenced || im.Brokers[2].Fenced {
		t.Fatalf("fencing: b1 %+v b2 %+v", im.Brokers[1], im.Brokers[2])
	}
	for _, p := range im.Topic("t").Partitions {
		if p.Leader != 2 || len(p.ISR) != 1 || p.ISR[0] != 2 {
			t.Fatalf("partition after fence %+v", p)
		}
	}
	solo := im.Topic("solo").Partitions[0]
	if solo.Replicas[0] == 1 && (solo.Leader != metadata.NoLeader || solo.ISR[0] != 1) {
		t.Fatalf("solo partition on fenced broker %+v", solo)
	}
	// Broker 1 comes back: heartbeat unfences it and leads its leaderless partitions.
	b1 := im.Brokers[1]
	hb := kmsg.NewPtrBrokerHeartbeatRequest()
	hb.BrokerID, hb.BrokerEpoch, hb.CurrentMetadataOffset = 1, b1.Epoch, im.Offset
	hr, err := n.ctrl.BrokerHeartbeat(ctx, hb)
	if err != nil || hr.IsFenced {
		t.Fatal(err, hr)
	}
	if solo.Replicas[0] == 1 {
		if p := n.loader.Image().Topic("solo").Partitions[0]; p.Leader != 1 {
			t.Fatalf("solo leader not restored: %+v", p)
		}
	}
}

func TestControlledShutdown(t *testing.T) {
	n := newNode(t, t.TempDir(), nil)
	epoch := n.register(1, "")
	n.mustCreate("t", 1, 1)
	hb := kmsg.NewPtrBrokerHeartbeatRequest()
	hb.BrokerID, hb.BrokerEpoch, hb.CurrentMetadataOffset, hb.WantShutdown = 1, epoch, n.loader.Image().Offset, true
	hr, err := n.ctrl.BrokerHeartbeat(ctx, hb)
	if err != nil || !hr.ShouldShutdown || !hr.IsFenced {
		t.Fatal(err, hr)
	}
	im := n.loader.Image()
	if b := im.Brokers[1]; !b.Fenced || !b.InControlledShutdown {
		t.Fatalf("broker %+v", b)
	}
	if p := im.Topic("t").Partitions[0]; p.Leader != metadata.NoLeader {
		t.Fatalf("partition %+v", p)
	}
}

func TestAllocateProducerIDs(t *testing.T) {
	n := newNode(t, t.TempDir(), nil)
	epoch := n.register(1, "")
	var firsts []int64
	for i := 0; i < 3; i++ {
		first, count, err := n.ctrl.AllocateProducerIDs(ctx, 1, epoch)
		if err != nil || count != 1000 {
			t.Fatal(err, count)
		}
		firsts = append(firsts, first)
	}
	if firsts[0] != 0 || firsts[1] != 1000 || firsts[2] != 2000 {
		t.Fatalf("blocks %v", firsts)
	}
	if n.loader.Image().NextProducerID != 3000 {
		t.Fatal(n.loader.Image().NextProducerID)
	}
}
