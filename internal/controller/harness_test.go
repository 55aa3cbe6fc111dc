package controller

import (
	"context"
	"log/slog"
	"math/rand"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/goleak"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/raft"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type node struct {
	t      testing.TB
	dir    string
	clk    *clock.Manual
	raft   *raft.Node
	loader *metadata.Loader
	ctrl   *Controller
}

var (
	ctx   = context.Background()
	quiet = slog.New(slog.DiscardHandler)
)

func newNode(t testing.TB, dir string, mut func(*Config)) *node {
	t.Helper()
	clk := clock.NewManual(time.Unix(1000, 0))
	rn, err := raft.Open(raft.Config{NodeID: 1, MetadataLogDir: dir, Voters: []raft.Voter{{NodeID: 1}}, Clock: clk, ClusterID: "cid", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ld := metadata.NewLoader("cid", rn, quiet)
	rn.AddListener(ld)
	rn.SetSnapshotter(ld)
	cfg := Config{NodeID: 1, ClusterID: "cid", Clock: clk, Rand: rand.New(rand.NewSource(1)), Logger: quiet}
	if mut != nil {
		mut(&cfg)
	}
	c := New(cfg, rn, ld)
	c.Start()
	rn.Start()
	n := &node{t: t, dir: dir, clk: clk, raft: rn, loader: ld, ctrl: c}
	t.Cleanup(n.close)
	if err := c.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	return n
}

func (n *node) close() {
	n.ctrl.Close()
	n.raft.Close()
	n.loader.Close()
}

// register registers broker id (optionally on a rack) and unfences it.
func (n *node) register(id int32, rack string) int64 {
	n.t.Helper()
	req := kmsg.NewPtrBrokerRegistrationRequest()
	req.BrokerID, req.ClusterID = id, "cid"
	req.IncarnationID = [16]byte{byte(id), 1}
	if rack != "" {
		req.Rack = kmsg.StringPtr(rack)
	}
	rl := kmsg.NewBrokerRegistrationRequestListener()
	rl.Name, rl.Host, rl.Port = "PLAINTEXT", "127.0.0.1", uint16(9092+id)
	req.Listeners = append(req.Listeners, rl)
	resp, err := n.ctrl.RegisterBroker(ctx, req)
	if err != nil || resp.ErrorCode != 0 {
		n.t.Fatalf("register %d: %v %+v", id, err, resp)
	}
	hb := kmsg.NewPtrBrokerHeartbeatRequest()
	hb.BrokerID, hb.BrokerEpoch, hb.CurrentMetadataOffset = id, resp.BrokerEpoch, n.loader.Image().Offset
	hr, err := n.ctrl.BrokerHeartbeat(ctx, hb)
	if err != nil || hr.ErrorCode != 0 || hr.IsFenced {
		n.t.Fatalf("heartbeat %d: %v %+v", id, err, hr)
	}
	return resp.BrokerEpoch
}

func (n *node) heartbeatAll() {
	for _, b := range n.loader.Image().Brokers {
		hb := kmsg.NewPtrBrokerHeartbeatRequest()
		hb.BrokerID, hb.BrokerEpoch, hb.CurrentMetadataOffset = b.ID, b.Epoch, n.loader.Image().Offset
		if _, err := n.ctrl.BrokerHeartbeat(ctx, hb); err != nil {
			n.t.Fatal(err)
		}
	}
}

func createReq(version int16, validateOnly bool, topics ...kmsg.CreateTopicsRequestTopic) *kmsg.CreateTopicsRequest {
	r := kmsg.NewPtrCreateTopicsRequest()
	r.Version, r.ValidateOnly, r.Topics = version, validateOnly, topics
	return r
}

func topic(name string, parts int32, rf int16, configs ...string) kmsg.CreateTopicsRequestTopic {
	t := kmsg.NewCreateTopicsRequestTopic()
	t.Topic, t.NumPartitions, t.ReplicationFactor = name, parts, rf
	for i := 0; i+1 < len(configs); i += 2 {
		c := kmsg.NewCreateTopicsRequestTopicConfig()
		c.Name, c.Value = configs[i], kmsg.StringPtr(configs[i+1])
		t.Configs = append(t.Configs, c)
	}
	return t
}

func (n *node) mustCreate(name string, parts int32, rf int16) {
	n.t.Helper()
	resp, err := n.ctrl.CreateTopics(ctx, createReq(7, false, topic(name, parts, rf)))
	if err != nil || resp.Topics[0].ErrorCode != 0 {
		n.t.Fatalf("create %s: %v %+v", name, err, resp)
	}
}
