package controller

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
)

func validateRetention(name, value string) error {
	if name == "bogus" {
		return fmt.Errorf("unknown topic config name: %s", name)
	}
	if name == "retention.ms" && strings.HasPrefix(value, "x") {
		return errors.New("invalid value x for configuration retention.ms")
	}
	return nil
}

func TestCreateTopicsErrors(t *testing.T) {
	n := newNode(t, t.TempDir(), func(c *Config) { c.ValidateTopicConfig = validateRetention; c.NumPartitions = 3 })
	n.register(1, "")
	n.mustCreate("exists", 1, 1)
	n.mustCreate("a.b", 1, 1)

	assign := func(name string, parts ...[]int32) kmsg.CreateTopicsRequestTopic {
		tp := topic(name, -1, -1)
		for i, r := range parts {
			a := kmsg.NewCreateTopicsRequestTopicReplicaAssignment()
			a.Partition, a.Replicas = int32(i), r
			tp.ReplicaAssignment = append(tp.ReplicaAssignment, a)
		}
		return tp
	}
	for _, tc := range []struct {
		name  string
		topic kmsg.CreateTopicsRequestTopic
		code  *kerr.Error
		parts int32
	}{
		{"ok defaults", topic("ok1", -1, -1), nil, 3},
		{"ok explicit", topic("ok2", 5, 1, "retention.ms", "100"), nil, 5},
		{"empty name", topic("", 1, 1), kerr.InvalidTopicException, 0},
		{"dot", topic(".", 1, 1), kerr.InvalidTopicException, 0},
		{"dotdot", topic("..", 1, 1), kerr.InvalidTopicException, 0},
		{"bad char", topic("a/b", 1, 1), kerr.InvalidTopicException, 0},
		{"too long", topic(strings.Repeat("x", 250), 1, 1), kerr.InvalidTopicException, 0},
		{"max len ok", topic(strings.Repeat("y", 249), 1, 1), nil, 1},
		{"collision", topic("a_b", 1, 1), kerr.InvalidTopicException, 0},
		{"exists", topic("exists", 1, 1), kerr.TopicAlreadyExists, 0},
		{"zero partitions", topic("p0", 0, 1), kerr.InvalidPartitions, 0},
		{"negative partitions", topic("p1", -2, 1), kerr.InvalidPartitions, 0},
		{"zero rf", topic("r0", 1, 0), kerr.InvalidReplicationFactor, 0},
		{"rf too big", topic("r3", 1, 3), kerr.InvalidReplicationFactor, 0},
		{"bad config value", topic("c1", 1, 1, "retention.ms", "xx"), kerr.InvalidConfig, 0},
		{"unknown config", topic("c2", 1, 1, "bogus", "1"), kerr.InvalidConfig, 0},
		{"manual ok", assign("m1", []int32{1}, []int32{1}), nil, 2},
		{"manual unknown broker", assign("m2", []int32{7}), kerr.InvalidReplicaAssignment, 0},
		{"manual dup broker", assign("m3", []int32{1, 1}), kerr.InvalidReplicaAssignment, 0},
		{"manual empty", assign("m4", []int32{}), kerr.InvalidReplicaAssignment, 0},
		{"manual with counts", func() kmsg.CreateTopicsRequestTopic {
			x := assign("m5", []int32{1})
			x.NumPartitions = 1
			return x
		}(), kerr.InvalidRequest, 0},
		{"manual gap", func() kmsg.CreateTopicsRequestTopic {
			x := assign("m6", []int32{1})
			x.ReplicaAssignment[0].Partition = 1
			return x
		}(), kerr.InvalidReplicaAssignment, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, validateOnly := range []bool{true, false} {
				before := n.loader.Image().Offset
				resp, err := n.ctrl.CreateTopics(ctx, createReq(7, validateOnly, tc.topic))
				if err != nil {
					t.Fatal(err)
				}
				rt := resp.Topics[0]
				if tc.code == nil {
					if rt.ErrorCode != 0 {
						t.Fatalf("validateOnly=%v: error %d %v", validateOnly, rt.ErrorCode, *rt.ErrorMessage)
					}
					if rt.NumPartitions != tc.parts || rt.ReplicationFactor != 1 {
						t.Fatalf("response %+v", rt)
					}
					im := n.loader.Image()
					tp := im.Topic(tc.topic.Topic)
					if validateOnly != (tp == nil) {
						t.Fatalf("validateOnly=%v but topic present=%v", validateOnly, tp != nil)
					}
					if tp != nil && (tp.ID != metadata.UUID(rt.TopicID) || int32(len(tp.Partitions)) != tc.parts) {
						t.Fatalf("image topic %+v vs response %+v", tp, rt)
					}
					continue
				}
				if rt.ErrorCode != tc.code.Code || rt.ErrorMessage == nil || *rt.ErrorMessage == "" {
					t.Fatalf("got code %d msg %v, want %s", rt.ErrorCode, rt.ErrorMessage, tc.code.Message)
				}
				if rt.NumPartitions != -1 || rt.ReplicationFactor != -1 || rt.TopicID != [16]byte{} {
					t.Fatalf("error response carries data: %+v", rt)
				}
				if err := n.ctrl.Barrier(ctx); err != nil {
					t.Fatal(err)
				}
				if n.loader.Image().Offset != before {
					t.Fatal("failed command wrote records")
				}
			}
		})
	}

	// Duplicates in one request both fail; the other topic succeeds.
	resp, err := n.ctrl.CreateTopics(ctx, createReq(7, false, topic("d", 1, 1), topic("d", 1, 1), topic("e", 1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Topics[0].ErrorCode != kerr.InvalidRequest.Code || resp.Topics[1].ErrorCode != kerr.InvalidRequest.Code || resp.Topics[2].ErrorCode != 0 {
		t.Fatalf("duplicates: %+v", resp.Topics)
	}
	// Version 4 has no counts; version 0 no message.
	resp, _ = n.ctrl.CreateTopics(ctx, createReq(0, false, topic("exists", 1, 1)))
	if resp.Topics[0].ErrorMessage != nil || resp.Topics[0].ErrorCode != kerr.TopicAlreadyExists.Code {
		t.Fatalf("v0 response: %+v", resp.Topics[0])
	}
	if cfg := n.loader.Image().TopicConfig("ok2"); cfg["retention.ms"] != "100" {
		t.Fatalf("topic config not stored: %v", cfg)
	}
}

func TestPlacementSpreadsAndRackAware(t *testing.T) {
	n := newNode(t, t.TempDir(), nil)
	n.register(1, "a")
	n.register(2, "a")
	n.register(3, "b")
	n.register(4, "b")
	n.mustCreate("t", 8, 2)
	tp := n.loader.Image().Topic("t")
	leaders := map[int32]int{}
	racks := map[int32]string{1: "a", 2: "a", 3: "b", 4: "b"}
	for _, p := range tp.Partitions {
		if len(p.Replicas) != 2 || p.Replicas[0] == p.Replicas[1] {
			t.Fatalf("replicas %v", p.Replicas)
		}
		if racks[p.Replicas[0]] == racks[p.Replicas[1]] {
			t.Fatalf("replicas on one rack: %v", p.Replicas)
		}
		if p.Leader != p.Replicas[0] || len(p.ISR) != 2 {
			t.Fatalf("leader/isr %+v", p)
		}
		leaders[p.Leader]++
	}
	for id := int32(1); id <= 4; id++ {
		if leaders[id] != 2 {
			t.Fatalf("leaders not spread: %v", leaders)
		}
	}
}

func TestDeleteTopics(t *testing.T) {
	n := newNode(t, t.TempDir(), nil)
	n.register(1, "")
	n.mustCreate("a", 1, 1)
	n.mustCreate("b", 1, 1)
	n.mustCreate("c", 1, 1)
	idB := n.loader.Image().Topic("b").ID

	// v5: names.
	req := kmsg.NewPtrDeleteTopicsRequest()
	req.Version, req.TopicNames = 5, []string{"a", "nope"}
	resp, err := n.ctrl.DeleteTopics(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Topics[0].ErrorCode != 0 || resp.Topics[1].ErrorCode != kerr.UnknownTopicOrPartition.Code {
		t.Fatalf("v5: %+v", resp.Topics)
	}
	// v6: ids and names.
	req = kmsg.NewPtrDeleteTopicsRequest()
	req.Version = 6
	byID := kmsg.NewDeleteTopicsRequestTopic()
	byID.TopicID = idB
	unknownID := kmsg.NewDeleteTopicsRequestTopic()
	unknownID.TopicID = [16]byte{9, 9}
	both := kmsg.NewDeleteTopicsRequestTopic()
	both.Topic, both.TopicID = kmsg.StringPtr("c"), [16]byte{1}
	req.Topics = []kmsg.DeleteTopicsRequestTopic{byID, unknownID, both}
	resp, err = n.ctrl.DeleteTopics(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	want := []int16{0, kerr.UnknownTopicID.Code, kerr.InvalidRequest.Code}
	for i, w := range want {
		if resp.Topics[i].ErrorCode != w {
			t.Fatalf("v6 topic %d: %+v", i, resp.Topics[i])
		}
	}
	if *resp.Topics[0].Topic != "b" {
		t.Fatalf("v6 name not filled: %+v", resp.Topics[0])
	}
	im := n.loader.Image()
	if im.Topic("a") != nil || im.Topic("b") != nil || im.Topic("c") == nil {
		t.Fatalf("topics after delete: %v", im.TopicNames())
	}
	// A deleted name can be created again.
	n.mustCreate("a", 2, 1)

	d := newNode(t, t.TempDir(), func(c *Config) { c.DeleteTopicDisable = true })
	d.register(1, "")
	d.mustCreate("x", 1, 1)
	req = kmsg.NewPtrDeleteTopicsRequest()
	req.Version, req.TopicNames = 5, []string{"x"}
	resp, _ = d.ctrl.DeleteTopics(ctx, req)
	if resp.Topics[0].ErrorCode != kerr.TopicDeletionDisabled.Code {
		t.Fatalf("deletion disabled: %+v", resp.Topics[0])
	}
}

func TestCreatePartitions(t *testing.T) {
	n := newNode(t, t.TempDir(), nil)
	n.register(1, "")
	n.register(2, "")
	n.mustCreate("t", 2, 2)
	mk := func(name string, count int32, assign ...[]int32) kmsg.CreatePartitionsRequestTopic {
		x := kmsg.NewCreatePartitionsRequestTopic()
		x.Topic, x.Count = name, count
		for _, a := range assign {
			pa := kmsg.NewCreatePartitionsRequestTopicAssignment()
			pa.Replicas = a
			x.Assignment = append(x.Assignment, pa)
		}
		return x
	}
	for _, tc := range []struct {
		name  string
		topic kmsg.CreatePartitionsRequestTopic
		code  *kerr.Error
		after int
	}{
		{"unknown", mk("nope", 3), kerr.UnknownTopicOrPartition, 2},
		{"decrease", mk("t", 1), kerr.InvalidPartitions, 2},
		{"same", mk("t", 2), kerr.InvalidPartitions, 2},
		{"too few assignments", mk("t", 4, []int32{1, 2}), kerr.InvalidReplicaAssignment, 2},
		{"wrong rf", mk("t", 3, []int32{1}), kerr.InvalidReplicaAssignment, 2},
		{"unknown broker", mk("t", 3, []int32{1, 5}), kerr.InvalidReplicaAssignment, 2},
		{"manual ok", mk("t", 3, []int32{2, 1}), nil, 3},
		{"auto ok", mk("t", 5), nil, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, validateOnly := range []bool{true, false} {
				req := kmsg.NewPtrCreatePartitionsRequest()
				req.Version, req.ValidateOnly, req.Topics = 3, validateOnly, []kmsg.CreatePartitionsRequestTopic{tc.topic}
				resp, err := n.ctrl.CreatePartitions(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				code := int16(0)
				if tc.code != nil {
					code = tc.code.Code
				}
				if resp.Topics[0].ErrorCode != code {
					t.Fatalf("code %d msg %v, want %d", resp.Topics[0].ErrorCode, resp.Topics[0].ErrorMessage, code)
				}
			}
			if got := len(n.loader.Image().Topic("t").Partitions); got != tc.after {
				t.Fatalf("partitions %d, want %d", got, tc.after)
			}
		})
	}
	if p := n.loader.Image().Topic("t").Partitions[2]; p.Leader != 2 || len(p.Replicas) != 2 {
		t.Fatalf("manual partition %+v", p)
	}
}
