package replication

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/goleak"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/record"
	"github.com/odradek/odradek/internal/storage"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func openLog(t *testing.T) *storage.Log {
	t.Helper()
	m, err := storage.NewManager(storage.ManagerConfig{Dirs: []string{t.TempDir()}, Clock: clock.NewManual(time.Unix(1700000000, 0))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	lg, err := m.GetOrCreateLog("t", 0, [16]byte{1}, storage.DefaultLogConfig())
	if err != nil {
		t.Fatal(err)
	}
	return lg
}

func oneBatch(t *testing.T) []byte {
	t.Helper()
	r := kmsg.NewRecord()
	r.Value = []byte("v")
	b, err := record.Build(record.Header{ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1, BaseTimestamp: 1700000000000, MaxTimestamp: 1700000000000}, []kmsg.Record{r}, record.CodecNone)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHighWatermarkFollowsISR(t *testing.T) {
	lg := openLog(t)
	p := newPartition(1, "t", metadata.UUID{1}, &metadata.Partition{ID: 0, Leader: 1, LeaderEpoch: 3, Replicas: []int32{1}, ISR: []int32{1}}, lg)
	if _, err := p.AppendAsLeader(oneBatch(t), -1, 1); err != nil {
		t.Fatal(err)
	}
	if hw := p.HighWatermark(); hw != 1 {
		t.Fatalf("sole-replica ISR: high watermark %d, want 1", hw)
	}
	// With a second ISR member that has not fetched, the high watermark holds.
	p.update(&metadata.Partition{ID: 0, Leader: 1, LeaderEpoch: 3, Replicas: []int32{1, 2}, ISR: []int32{1, 2}})
	if _, err := p.AppendAsLeader(oneBatch(t), -1, 1); err != nil {
		t.Fatal(err)
	}
	if hw := p.HighWatermark(); hw != 1 {
		t.Fatalf("follower behind: high watermark %d, want 1", hw)
	}
	if _, err := p.AppendAsLeader(oneBatch(t), -1, 3); !errors.Is(err, kerr.NotEnoughReplicas) {
		t.Fatalf("min.insync.replicas 3 with ISR of 2: %v", err)
	}
}

func TestLeadershipAndEpochChecks(t *testing.T) {
	lg := openLog(t)
	p := newPartition(1, "t", metadata.UUID{1}, &metadata.Partition{ID: 0, Leader: 1, LeaderEpoch: 5, Replicas: []int32{1}, ISR: []int32{1}}, lg)
	for _, tc := range []struct {
		epoch int32
		want  error
	}{{-1, nil}, {5, nil}, {4, kerr.FencedLeaderEpoch}, {6, kerr.UnknownLeaderEpoch}} {
		if err := p.CheckLeaderEpoch(tc.epoch); !errors.Is(err, tc.want) && !(err == nil && tc.want == nil) {
			t.Errorf("epoch %d: %v, want %v", tc.epoch, err, tc.want)
		}
	}
	p.update(&metadata.Partition{ID: 0, Leader: 2, LeaderEpoch: 6, Replicas: []int32{1, 2}, ISR: []int32{2}})
	if _, err := p.AppendAsLeader(oneBatch(t), 1, 1); !errors.Is(err, kerr.NotLeaderForPartition) {
		t.Fatalf("append on a follower: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.WaitForHighWatermark(ctx, 5); !errors.Is(err, kerr.NotLeaderForPartition) {
		t.Fatalf("waiting as follower: %v", err)
	}
}

func TestWatchWakesOnAdvance(t *testing.T) {
	lg := openLog(t)
	p := newPartition(1, "t", metadata.UUID{1}, &metadata.Partition{ID: 0, Leader: 1, Replicas: []int32{1}, ISR: []int32{1}}, lg)
	ch := make(chan struct{}, 1)
	p.Watch(ch)
	if _, err := p.AppendAsLeader(oneBatch(t), 1, 1); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	default:
		t.Fatal("watcher not woken by the high watermark advancing")
	}
	// A watch is one-shot, and Unwatch removes a pending one.
	p.Watch(ch)
	p.Unwatch(ch)
	if _, err := p.AppendAsLeader(oneBatch(t), 1, 1); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
		t.Fatal("unwatched channel was signalled")
	default:
	}
}
