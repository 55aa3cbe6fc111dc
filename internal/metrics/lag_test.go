package metrics

import (
	"math"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/record"
	"github.com/odradek/odradek/internal/storage"
)

var t0 = time.Unix(1700000000, 0)

type lagSample struct {
	after     time.Duration // since t0
	committed int64
	hw        int64
}

func TestCatchUpSeconds(t *testing.T) {
	tests := []struct {
		name    string
		samples []lagSample
		want    float64
		ok      bool
	}{
		{"one sample has no rate", []lagSample{{0, 10, 100}}, 0, false},
		{"caught up needs no rate", []lagSample{{0, 100, 100}}, 0, true},
		{"consuming faster than producing", []lagSample{{0, 0, 100}, {10 * time.Second, 50, 110}}, 60.0 / 4, true},
		// consume 5/s, produce 1/s: a lag of 60 closes at 4/s.
		{"rates from the window's first sample", []lagSample{{0, 0, 100}, {5 * time.Second, 25, 105}, {10 * time.Second, 50, 110}}, 60.0 / 4, true},
		{"stalled group cannot catch up", []lagSample{{0, 10, 100}, {time.Minute, 10, 100}}, math.Inf(1), true},
		{"producing as fast as consuming", []lagSample{{0, 10, 100}, {time.Minute, 70, 160}}, math.Inf(1), true},
		{"committed offset moved back", []lagSample{{0, 50, 100}, {time.Minute, 10, 100}}, math.Inf(1), true},
		// The first two samples fall out of the 5 minute window; the
		// newest sample older than the window still anchors the rate.
		{"old samples leave the window", []lagSample{{0, 0, 0}, {time.Minute, 1000, 1000}, {2 * time.Minute, 1000, 1100}, {7 * time.Minute, 1130, 1160}}, 30 / (70.0 / 300), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLagTracker(5 * time.Minute)
			var got float64
			var ok bool
			for _, s := range tc.samples {
				l.begin(t0.Add(s.after))
				got, ok = l.catchUpSeconds("g", "t", 0, s.committed, s.hw)
				l.end()
			}
			if ok != tc.ok || (ok && got != tc.want && math.Abs(got-tc.want) > 1e-9) {
				t.Fatalf("catchUpSeconds = %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestSampleRingBounds(t *testing.T) {
	const window = 62 * time.Second // samples kept about 1s apart
	var r sampleRing
	for i := 0; i < 1000; i++ {
		r.add(sample{at: t0.Add(time.Duration(i) * 100 * time.Millisecond), committed: int64(i)}, window)
	}
	if len(r.s) > maxSamples {
		t.Fatalf("%d samples kept, at most %d allowed", len(r.s), maxSamples)
	}
	last := r.s[len(r.s)-1]
	if last.committed != 999 {
		t.Fatalf("newest sample has committed %d, want 999", last.committed)
	}
	if span := last.at.Sub(r.s[0].at); span < window-2*time.Second || span > window+time.Second {
		t.Fatalf("samples span %v, want about the %v window", span, window)
	}
}

func TestLagTrackerForgetsUntouched(t *testing.T) {
	l := newLagTracker(time.Minute)
	l.begin(t0)
	l.catchUpSeconds("g", "t", 0, 1, 2)
	l.catchUpSeconds("h", "t", 0, 1, 2)
	l.end()
	l.begin(t0.Add(time.Second))
	l.catchUpSeconds("g", "t", 0, 1, 2)
	l.end()
	if _, ok := l.samples[sampleKey{"h", "t", 0}]; ok {
		t.Fatal("samples of a group no longer reported were kept")
	}
	if _, ok := l.samples[sampleKey{"g", "t", 0}]; !ok {
		t.Fatal("samples of a reported group were dropped")
	}
}

// testLog appends one single-record batch per timestamp (ms) and commits
// them all.
func testLog(t *testing.T, timestamps ...int64) *storage.Log {
	t.Helper()
	m, err := storage.NewManager(storage.ManagerConfig{Dirs: []string{t.TempDir()}, Clock: clock.NewManual(t0)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	lg, err := m.GetOrCreateLog("t", 0, [16]byte{1}, storage.DefaultLogConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, ts := range timestamps {
		r := kmsg.NewRecord()
		r.Value = []byte("v")
		b, err := record.Build(record.Header{ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1, BaseTimestamp: ts, MaxTimestamp: ts}, []kmsg.Record{r}, record.CodecNone)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := lg.Append(b, storage.AppendOptions{AssignOffsets: true, Origin: storage.OriginClient}); err != nil {
			t.Fatal(err)
		}
	}
	lg.SetHighWatermark(lg.LogEndOffset())
	return lg
}

func TestLagSeconds(t *testing.T) {
	ms := t0.UnixMilli()
	lg := testLog(t, ms-90_000, ms-60_000, ms-30_000)
	l := newLagTracker(time.Minute)
	l.begin(t0)
	tests := []struct {
		committed int64
		want      float64
	}{
		{0, 90},
		{1, 60},
		{2, 30},
		{3, 0}, // caught up
		{5, 0}, // beyond the high watermark
	}
	for _, tc := range tests {
		got, ok := l.lagSeconds(lg, "t", 0, tc.committed, 3)
		if !ok || got != tc.want {
			t.Errorf("lagSeconds(committed %d) = %v, %v; want %v", tc.committed, got, ok, tc.want)
		}
	}
	l.end()
	if len(l.stamps) != 3 {
		t.Fatalf("%d timestamps cached, want 3", len(l.stamps))
	}
	// A later scrape reads the cache, and forgets offsets no one lags at.
	l.begin(t0.Add(10 * time.Second))
	if got, _ := l.lagSeconds(lg, "t", 0, 1, 3); got != 70 {
		t.Fatalf("lagSeconds after 10s = %v, want 70", got)
	}
	l.end()
	if len(l.stamps) != 1 {
		t.Fatalf("%d timestamps cached after the sweep, want 1", len(l.stamps))
	}
}
