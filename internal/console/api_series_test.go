package console_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/console"
)

type series struct {
	Points []struct {
		T             int64   `json:"t"`
		RecordsPerSec float64 `json:"recordsPerSec"`
		BytesPerSec   float64 `json:"bytesPerSec"`
		Lag           int64   `json:"lag"`
	} `json:"points"`
}

// The sampler reads a real server on the ticks of a manual clock, so the
// rates are exact: records produced between two ticks over the interval.
func TestChartsFromRealSamples(t *testing.T) {
	e := newEnv(t)
	clk := clock.NewManual(time.UnixMilli(1_800_000_000_000))
	c, err := console.New(console.Options{Bootstrap: e.srv.Bootstrap, Clock: clk, SampleInterval: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(c.Handler())
	defer c.Close()
	defer hs.Close()
	sampled := &env{srv: e.srv, base: hs.URL}

	e.createTopic(t, "metered", 2)
	offsets := kadm.Offsets{}
	offsets.Add(kadm.Offset{Topic: "metered", Partition: 0, At: 0, LeaderEpoch: -1})
	e.commit(t, "reader", offsets)

	// waitPoints polls a series until it has n points; the sample runs on
	// the sampler's goroutine after the tick.
	waitPoints := func(path string, n int) series {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		for {
			var s series
			sampled.mustOK(t, "GET", path, nil, &s)
			if len(s.Points) >= n {
				return s
			}
			select {
			case <-ctx.Done():
				t.Fatalf("%s has %d points, want %d", path, len(s.Points), n)
			case <-time.After(20 * time.Millisecond):
			}
		}
	}

	clk.Advance(5 * time.Second)
	lag := waitPoints("/api/metrics/groups/reader", 1)
	if lag.Points[0].Lag != 0 || lag.Points[0].T != clk.Now().UnixMilli() {
		t.Fatalf("first lag point %+v", lag.Points[0])
	}
	var recs []*kgo.Record
	for i := range 100 {
		recs = append(recs, &kgo.Record{Topic: "metered", Partition: int32(i % 2), Value: fmt.Appendf(nil, "%04d", i)})
	}
	manual, err := kgo.NewClient(kgo.SeedBrokers(e.srv.Bootstrap), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer manual.Close()
	if err := manual.ProduceSync(t.Context(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	clk.Advance(5 * time.Second)
	s := waitPoints("/api/metrics/topics/metered", 1)
	if p := s.Points[0]; p.RecordsPerSec != 20 || p.BytesPerSec <= 0 || p.T != clk.Now().UnixMilli() {
		t.Fatalf("topic rate %+v, want 20 records/s and some bytes", p)
	}
	if s := waitPoints("/api/metrics/cluster", 1); s.Points[0].RecordsPerSec != 20 {
		t.Fatalf("cluster rate %+v", s.Points[0])
	}
	if s := waitPoints("/api/metrics/groups/reader", 2); s.Points[1].Lag != 50 {
		t.Fatalf("lag after producing: %+v", s.Points)
	}
	var list struct{ Topics []topicRow }
	sampled.mustOK(t, "GET", "/api/topics", nil, &list)
	for _, r := range list.Topics {
		if r.Name == "metered" && (r.RecordsPerSec == nil || *r.RecordsPerSec != 20) {
			t.Fatalf("topics list rate %v, want 20", r.RecordsPerSec)
		}
	}
}
