package metadata

import (
	"context"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/raft"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type pubRec struct {
	mu      sync.Mutex
	offsets []int64
	created []string
}

func (p *pubRec) Name() string { return "rec" }
func (p *pubRec) OnMetadataUpdate(d *Delta, im *Image) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.offsets = append(p.offsets, im.Offset)
	for _, t := range d.CreatedTopics() {
		p.created = append(p.created, t.Name)
	}
}

func startNode(t *testing.T, dir string, snapBytes int64) (*raft.Node, *Loader) {
	t.Helper()
	n, err := raft.Open(raft.Config{NodeID: 1, MetadataLogDir: dir, Voters: []raft.Voter{{NodeID: 1}},
		Clock: clock.NewManual(time.Unix(0, 0)), SnapshotBytes: snapBytes, ClusterID: "cid"})
	if err != nil {
		t.Fatal(err)
	}
	l := NewLoader("cid", n, nil)
	n.AddListener(l)
	n.SetSnapshotter(l)
	n.Start()
	return n, l
}

func propose(t *testing.T, n *raft.Node, rs ...Record) int64 {
	t.Helper()
	b, err := EncodeAll(rs)
	if err != nil {
		t.Fatal(err)
	}
	off, err := n.Propose(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	return off
}

func TestLoaderRestartSameImage(t *testing.T) {
	for _, snapBytes := range []int64{0, 300} {
		dir := t.TempDir()
		n, l := startNode(t, dir, snapBytes)
		p := &pubRec{}
		l.AddPublisher(p)
		var last int64
		for i := 0; i < 10; i++ {
			id := UUID{byte(i + 1)}
			name := string(rune('a' + i))
			last = propose(t, n, &TopicRecord{Name: name, TopicID: id},
				&PartitionRecord{TopicID: id, Replicas: []int32{1}, ISR: []int32{1}, Leader: 1},
				&ConfigRecord{ResourceType: ResourceTopic, ResourceName: name, Name: "retention.ms", Value: strp("5")})
		}
		last = propose(t, n, &RemoveTopicRecord{TopicID: UUID{3}}, &ProducerIdsRecord{BrokerID: 1, NextProducerID: 2000})
		if err := l.WaitForOffset(context.Background(), last); err != nil {
			t.Fatal(err)
		}
		want := l.Image()
		if len(want.TopicsByName) != 9 || want.NextProducerID != 2000 {
			t.Fatalf("image: %+v", want)
		}
		n.Close()
		l.Close()
		if cps, _ := filepath.Glob(filepath.Join(dir, raft.DirName, "*.checkpoint")); (len(cps) > 0) != (snapBytes > 0) {
			t.Fatalf("snapBytes=%d: checkpoints %v", snapBytes, cps)
		}
		p.mu.Lock()
		// Topic c is created and removed; when both land in one coalesced
		// delta the publisher never sees it, which is correct.
		seen := map[string]bool{}
		for _, name := range p.created {
			seen[name] = true
		}
		for i := 0; i < 10; i++ {
			if name := string(rune('a' + i)); name != "c" && !seen[name] {
				t.Fatalf("publisher missed %s: saw %v", name, p.created)
			}
		}
		p.mu.Unlock()

		n2, l2 := startNode(t, dir, snapBytes)
		if err := l2.WaitForOffset(context.Background(), last); err != nil {
			t.Fatal(err)
		}
		got, exp := *l2.Image(), *want
		got.Epoch, exp.Epoch, got.Offset, exp.Offset = 0, 0, 0, 0
		if !reflect.DeepEqual(got, exp) {
			t.Fatalf("snapBytes=%d: image after restart differs:\n got %+v\nwant %+v", snapBytes, got, want)
		}
		late := &pubRec{}
		l2.AddPublisher(late)
		off := propose(t, n2, &NoOpRecord{})
		l2.WaitForOffset(context.Background(), off)
		n2.Close()
		l2.Close()
		if len(late.created) != 9 {
			t.Fatalf("late publisher saw %v", late.created)
		}
	}
}

func TestWaitForOffsetContext(t *testing.T) {
	l := NewLoader("c", nil, nil)
	defer l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.WaitForOffset(ctx, 5); err != context.Canceled {
		t.Fatal(err)
	}
	if err := l.WaitForOffset(context.Background(), -1); err != nil {
		t.Fatal(err)
	}
}
