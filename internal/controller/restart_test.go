package controller

import (
	"reflect"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/odradek/odradek/internal/metadata"
)

func TestRestartKeepsState(t *testing.T) {
	dir := t.TempDir()
	n := newNode(t, dir, nil)
	epoch := n.register(1, "")
	n.mustCreate("a", 3, 1)
	n.mustCreate("b", 1, 1)
	if _, _, err := n.ctrl.AllocateProducerIDs(ctx, 1, epoch); err != nil {
		t.Fatal(err)
	}
	if err := n.ctrl.Barrier(ctx); err != nil {
		t.Fatal(err)
	}
	want := n.loader.Image()
	n.close()

	n2 := newNode(t, dir, nil)
	if err := n2.loader.WaitForOffset(ctx, want.Offset); err != nil {
		t.Fatal(err)
	}
	got, exp := *n2.loader.Image(), *want
	got.Offset, got.Epoch, exp.Offset, exp.Epoch = 0, 0, 0, 0
	if !reflect.DeepEqual(got, exp) {
		t.Fatalf("image after restart differs:\n got %+v\nwant %+v", got, want)
	}
	resp, err := n2.ctrl.CreateTopics(ctx, createReq(7, false, topic("a", 1, 1)))
	if err != nil || resp.Topics[0].ErrorCode != kerr.TopicAlreadyExists.Code {
		t.Fatal(err, resp)
	}
	first, _, err := n2.ctrl.AllocateProducerIDs(ctx, 1, epoch)
	if err != nil || first != 1000 {
		t.Fatal(first, err)
	}
}

func TestLifecycleRegistersAndUnfences(t *testing.T) {
	dir := t.TempDir()
	n := newNode(t, dir, nil)
	lc, err := NewBrokerLifecycle(LifecycleConfig{NodeID: 1, ClusterID: "cid", Clock: n.clk, Logger: quiet,
		Listeners:      []metadata.Endpoint{{Name: "PLAINTEXT", Host: "127.0.0.1", Port: 9092}},
		MetadataOffset: func() int64 { return n.loader.Image().Offset }, Client: n.ctrl})
	if err != nil {
		t.Fatal(err)
	}
	// Driven step by step so the session timer and heartbeats interleave
	// deterministically.
	lc.step()
	if lc.Fenced() {
		t.Fatal("not unfenced after first step")
	}
	b := n.loader.Image().Brokers[1]
	if b == nil || b.Fenced || b.Epoch != lc.Epoch() {
		t.Fatalf("broker %+v, lifecycle epoch %d", b, lc.Epoch())
	}
	// Heartbeats keep the session alive across many session timeouts.
	for i := 0; i < 20; i++ {
		n.clk.Advance(2 * time.Second)
		lc.step()
	}
	if err := n.ctrl.Barrier(ctx); err != nil {
		t.Fatal(err)
	}
	if lc.Fenced() {
		t.Fatal("lifecycle fenced despite heartbeats")
	}
	if err := lc.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	lc.Close()
	if b := n.loader.Image().Brokers[1]; !b.InControlledShutdown {
		t.Fatalf("after shutdown %+v", b)
	}
}

func TestLifecycleLoop(t *testing.T) {
	n := newNode(t, t.TempDir(), nil)
	lc, err := NewBrokerLifecycle(LifecycleConfig{NodeID: 1, ClusterID: "cid", Clock: n.clk, Logger: quiet,
		MetadataOffset: func() int64 { return n.loader.Image().Offset }, Client: n.ctrl})
	if err != nil {
		t.Fatal(err)
	}
	lc.Start()
	defer lc.Close()
	if err := lc.WaitUnfenced(ctx); err != nil {
		t.Fatal(err)
	}
}
