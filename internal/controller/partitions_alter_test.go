package controller

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestAlterPartition(t *testing.T) {
	n := newNode(t, t.TempDir(), nil)
	e1 := n.register(1, "")
	e2 := n.register(2, "")
	epochs := map[int32]int64{1: e1, 2: e2}
	resp, err := n.ctrl.CreateTopics(ctx, createReq(7, false, func() kmsg.CreateTopicsRequestTopic {
		tp := topic("t", -1, -1)
		a := kmsg.NewCreateTopicsRequestTopicReplicaAssignment()
		a.Partition, a.Replicas = 0, []int32{1, 2}
		tp.ReplicaAssignment = append(tp.ReplicaAssignment, a)
		return tp
	}()))
	if err != nil || resp.Topics[0].ErrorCode != 0 {
		t.Fatal(err, resp)
	}
	id := resp.Topics[0].TopicID
	alter := func(broker int32, leaderEpoch, partEpoch int32, isr []int32, mut func(*kmsg.AlterPartitionRequest)) *kmsg.AlterPartitionResponse {
		req := kmsg.NewPtrAlterPartitionRequest()
		req.Version, req.BrokerID, req.BrokerEpoch = 2, broker, epochs[broker]
		rt := kmsg.NewAlterPartitionRequestTopic()
		rt.TopicID = id
		rp := kmsg.NewAlterPartitionRequestTopicPartition()
		rp.Partition, rp.LeaderEpoch, rp.PartitionEpoch, rp.NewISR = 0, leaderEpoch, partEpoch, isr
		rt.Partitions = append(rt.Partitions, rp)
		req.Topics = append(req.Topics, rt)
		if mut != nil {
			mut(req)
		}
		r, err := n.ctrl.AlterPartition(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	code := func(r *kmsg.AlterPartitionResponse) int16 {
		if r.ErrorCode != 0 {
			return r.ErrorCode
		}
		return r.Topics[0].Partitions[0].ErrorCode
	}
	for _, tc := range []struct {
		name string
		r    *kmsg.AlterPartitionResponse
		want *kerr.Error
	}{
		{"not leader", alter(2, 0, 0, []int32{1}, nil), kerr.NotLeaderForPartition},
		{"stale broker epoch", alter(1, 0, 0, []int32{1}, func(r *kmsg.AlterPartitionRequest) { r.BrokerEpoch++ }), kerr.StaleBrokerEpoch},
		{"unknown topic id", alter(1, 0, 0, []int32{1}, func(r *kmsg.AlterPartitionRequest) { r.Topics[0].TopicID = [16]byte{7} }), kerr.UnknownTopicID},
		{"future leader epoch", alter(1, 5, 0, []int32{1}, nil), kerr.NotController},
		{"isr without leader", alter(1, 0, 0, []int32{2}, nil), kerr.InvalidRequest},
		{"isr non-replica", alter(1, 0, 0, []int32{1, 3}, nil), kerr.InvalidRequest},
	} {
		if got := code(tc.r); got != tc.want.Code {
			t.Errorf("%s: code %d, want %s", tc.name, got, tc.want.Message)
		}
	}
	// Shrink to the leader alone.
	r := alter(1, 0, 0, []int32{1}, nil)
	if code(r) != 0 {
		t.Fatalf("shrink: %+v", r)
	}
	if p := r.Topics[0].Partitions[0]; p.PartitionEpoch != 1 || len(p.ISR) != 1 {
		t.Fatalf("shrink response %+v", p)
	}
	if p := n.loader.Image().Topic("t").Partitions[0]; p.PartitionEpoch != 1 || len(p.ISR) != 1 || p.LeaderEpoch != 0 {
		t.Fatalf("after shrink %+v", p)
	}
	if c := code(alter(1, 0, 0, []int32{1, 2}, nil)); c != kerr.InvalidUpdateVersion.Code {
		t.Fatalf("stale partition epoch: %d", c)
	}
	// Fence broker 2, then expanding to it is refused.
	hb := kmsg.NewPtrBrokerHeartbeatRequest()
	hb.BrokerID, hb.BrokerEpoch, hb.WantFence = 2, e2, true
	if _, err := n.ctrl.BrokerHeartbeat(ctx, hb); err != nil {
		t.Fatal(err)
	}
	if c := code(alter(1, 0, 1, []int32{1, 2}, nil)); c != kerr.IneligibleReplica.Code {
		t.Fatalf("fenced expand: %d", c)
	}
	n.heartbeatAll()
	if r := alter(1, 0, 1, []int32{1, 2}, nil); code(r) != 0 {
		t.Fatalf("expand: %+v", r)
	}
	if p := n.loader.Image().Topic("t").Partitions[0]; p.PartitionEpoch != 2 || len(p.ISR) != 2 {
		t.Fatalf("after expand %+v", p)
	}
}

func TestUnregisterBroker(t *testing.T) {
	n := newNode(t, t.TempDir(), nil)
	n.register(1, "")
	n.register(2, "")
	req := kmsg.NewPtrUnregisterBrokerRequest()
	req.BrokerID = 2
	if r, err := n.ctrl.UnregisterBroker(ctx, req); err != nil || r.ErrorCode != 0 {
		t.Fatal(err, r)
	}
	if n.loader.Image().Brokers[2] != nil {
		t.Fatal("broker 2 still registered")
	}
	if r, _ := n.ctrl.UnregisterBroker(ctx, req); r.ErrorCode != kerr.BrokerIDNotRegistered.Code {
		t.Fatal(r)
	}
}
