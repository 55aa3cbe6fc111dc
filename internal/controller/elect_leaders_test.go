package controller

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestElectLeaders(t *testing.T) {
	n := newNode(t, t.TempDir(), nil)
	e1 := n.register(1, "")
	e2 := n.register(2, "")
	tp := topic("t", -1, -1)
	a := kmsg.NewCreateTopicsRequestTopicReplicaAssignment()
	a.Partition, a.Replicas = 0, []int32{1, 2}
	tp.ReplicaAssignment = append(tp.ReplicaAssignment, a)
	if r, err := n.ctrl.CreateTopics(ctx, createReq(7, false, tp)); err != nil || r.Topics[0].ErrorCode != 0 {
		t.Fatal(err, r)
	}
	elect := func(typ int8, parts ...int32) int16 {
		req := kmsg.NewPtrElectLeadersRequest()
		req.Version, req.ElectionType = 2, typ
		rt := kmsg.NewElectLeadersRequestTopic()
		rt.Topic, rt.Partitions = "t", parts
		req.Topics = append(req.Topics, rt)
		r, err := n.ctrl.ElectLeaders(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return r.Topics[0].Partitions[0].ErrorCode
	}
	if c := elect(0, 0); c != kerr.ElectionNotNeeded.Code {
		t.Fatalf("preferred already leader: %d", c)
	}
	if c := elect(0, 9); c != kerr.UnknownTopicOrPartition.Code {
		t.Fatalf("unknown partition: %d", c)
	}
	// Fence broker 1: broker 2 takes over and the ISR shrinks.
	hb := kmsg.NewPtrBrokerHeartbeatRequest()
	hb.BrokerID, hb.BrokerEpoch, hb.WantFence = 1, e1, true
	if _, err := n.ctrl.BrokerHeartbeat(ctx, hb); err != nil {
		t.Fatal(err)
	}
	p := n.loader.Image().Topic("t").Partitions[0]
	if p.Leader != 2 || len(p.ISR) != 1 {
		t.Fatalf("after fence %+v", p)
	}
	if c := elect(0, 0); c != kerr.PreferredLeaderNotAvailable.Code {
		t.Fatalf("preferred not in isr: %d", c)
	}
	if c := elect(1, 0); c != kerr.ElectionNotNeeded.Code {
		t.Fatalf("unclean with live leader: %d", c)
	}
	// Broker 1 returns and rejoins the ISR; the preferred election moves
	// leadership back.
	n.heartbeatAll()
	ar := kmsg.NewPtrAlterPartitionRequest()
	ar.Version, ar.BrokerID, ar.BrokerEpoch = 2, 2, e2
	rt := kmsg.NewAlterPartitionRequestTopic()
	rt.TopicID = n.loader.Image().Topic("t").ID
	rp := kmsg.NewAlterPartitionRequestTopicPartition()
	rp.LeaderEpoch, rp.PartitionEpoch, rp.NewISR = p.LeaderEpoch, p.PartitionEpoch, []int32{2, 1}
	rt.Partitions = append(rt.Partitions, rp)
	ar.Topics = append(ar.Topics, rt)
	if r, err := n.ctrl.AlterPartition(ctx, ar); err != nil || r.Topics[0].Partitions[0].ErrorCode != 0 {
		t.Fatal(err, r)
	}
	if c := elect(0, 0); c != 0 {
		t.Fatalf("preferred election: %d", c)
	}
	if p := n.loader.Image().Topic("t").Partitions[0]; p.Leader != 1 {
		t.Fatalf("after preferred election %+v", p)
	}
	// All partitions: nothing needed, so nothing listed.
	req := kmsg.NewPtrElectLeadersRequest()
	req.Version = 2
	if r, err := n.ctrl.ElectLeaders(ctx, req); err != nil || len(r.Topics) != 0 {
		t.Fatal(err, r)
	}
}
