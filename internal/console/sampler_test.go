package console

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/odradek/odradek/internal/clock"
)

// fakeSource hands out queued snapshots and reports each call.
type fakeSource struct {
	snaps chan snapshot
	calls chan struct{}
}

func (f *fakeSource) snapshot(ctx context.Context) (snapshot, error) {
	defer func() { f.calls <- struct{}{} }()
	select {
	case s := <-f.snaps:
		return s, nil
	default:
		return snapshot{}, errors.New("no snapshot queued")
	}
}

func snap(topics map[string][2]int64, lags map[string]int64) snapshot {
	s := snapshot{topics: map[string]topicTotals{}, groupLag: lags}
	for name, v := range topics {
		s.topics[name] = topicTotals{endOffsets: v[0], sizeBytes: v[1], internal: name[0] == '_'}
	}
	return s
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestSamplerRates(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	s := newSampler(clock.NewManual(t0), 10*time.Second, 30*time.Second, nil, quiet)
	steps := []struct {
		at     time.Duration
		snap   snapshot
		orders *ratePoint // latest rate of topic "orders", nil if none
		total  *ratePoint
	}{
		{0, snap(map[string][2]int64{"orders": {100, 1000}, "__consumer_offsets": {5, 50}}, map[string]int64{"g": 7}), nil, nil},
		{10 * time.Second, snap(map[string][2]int64{"orders": {300, 3000}, "__consumer_offsets": {15, 150}}, map[string]int64{"g": 3}),
			&ratePoint{RecordsPerSec: 20, BytesPerSec: 200}, &ratePoint{RecordsPerSec: 20, BytesPerSec: 200}},
		// Retention shrank the log: bytes never go negative.
		{20 * time.Second, snap(map[string][2]int64{"orders": {350, 500}}, nil),
			&ratePoint{RecordsPerSec: 5, BytesPerSec: 0}, &ratePoint{RecordsPerSec: 5, BytesPerSec: 0}},
		// A recreated topic starts over at lower offsets.
		{25 * time.Second, snap(map[string][2]int64{"orders": {10, 100}, "new": {0, 0}}, nil),
			&ratePoint{RecordsPerSec: 0, BytesPerSec: 0}, &ratePoint{}},
		{30 * time.Second, snap(map[string][2]int64{"orders": {20, 200}, "new": {50, 500}}, nil),
			&ratePoint{RecordsPerSec: 2, BytesPerSec: 20}, &ratePoint{RecordsPerSec: 12, BytesPerSec: 120}},
	}
	for i, st := range steps {
		s.record(t0.Add(st.at), st.snap)
		rec, byt := s.topicRate("orders")
		if (rec == nil) != (st.orders == nil) || (rec != nil && (*rec != st.orders.RecordsPerSec || *byt != st.orders.BytesPerSec)) {
			t.Fatalf("step %d: orders rate %v %v, want %+v", i, rec, byt, st.orders)
		}
		rec, byt = s.clusterRate()
		if (rec == nil) != (st.total == nil) || (rec != nil && (*rec != st.total.RecordsPerSec || *byt != st.total.BytesPerSec)) {
			t.Fatalf("step %d: cluster rate %v %v, want %+v", i, rec, byt, st.total)
		}
	}
	// History is 30s at 10s: 4 points; the cluster ring has had 4 pushes.
	if got := s.clusterSeries(); len(got) != 4 || got[0].T != t0.Add(10*time.Second).UnixMilli() || got[3].T != t0.Add(30*time.Second).UnixMilli() {
		t.Fatalf("cluster series %+v", got)
	}
	if got := s.topicSeries("__consumer_offsets"); len(got) != 0 {
		t.Fatalf("a deleted topic keeps its series: %+v", got)
	}
	if got := s.groupSeries("g"); len(got) != 0 {
		t.Fatalf("a deleted group keeps its series: %+v", got)
	}
}

func TestSamplerGroupLag(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	s := newSampler(clock.NewManual(t0), time.Second, 2*time.Second, nil, quiet)
	for i, lag := range []int64{5, 4, 9, 1} {
		s.record(t0.Add(time.Duration(i)*time.Second), snap(nil, map[string]int64{"g": lag}))
	}
	got := s.groupSeries("g")
	if len(got) != 3 || got[0].Lag != 4 || got[1].Lag != 9 || got[2].Lag != 1 || got[2].T != t0.Add(3*time.Second).UnixMilli() {
		t.Fatalf("lag series %+v", got)
	}
}

// The goroutine samples on each tick of the injected clock and stops on
// stop(); goleak in TestMain checks that it is gone.
func TestSamplerLoop(t *testing.T) {
	clk := clock.NewManual(time.Unix(1_700_000_000, 0))
	src := &fakeSource{snaps: make(chan snapshot, 4), calls: make(chan struct{}, 4)}
	s := newSampler(clk, 5*time.Second, time.Minute, src, quiet)
	s.start()
	defer s.stop()
	wait := func() {
		t.Helper()
		select {
		case <-src.calls:
		case <-time.After(10 * time.Second):
			t.Fatal("the sampler did not sample after a tick")
		}
	}
	src.snaps <- snap(map[string][2]int64{"t": {0, 0}}, nil)
	clk.Advance(5 * time.Second)
	wait()
	src.snaps <- snap(map[string][2]int64{"t": {50, 500}}, nil)
	clk.Advance(5 * time.Second)
	wait()
	if rec, _ := s.topicRate("t"); rec == nil || *rec != 10 {
		t.Fatalf("rate after two ticks: %v", rec)
	}
	// A failed sample leaves the history as it was.
	clk.Advance(5 * time.Second)
	wait()
	if got := s.topicSeries("t"); len(got) != 1 {
		t.Fatalf("series after a failed sample: %+v", got)
	}
}
