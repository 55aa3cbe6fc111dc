package console

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/odradek/odradek/internal/clock"
)

// topicTotals is what a sample knows of a topic: the sum of its partitions'
// end offsets and of its log sizes.
type topicTotals struct {
	endOffsets int64
	sizeBytes  int64
	internal   bool
}

// snapshot is one sample of the cluster, read through the Kafka APIs.
type snapshot struct {
	topics map[string]topicTotals
	// groupLag is each group's total lag in records.
	groupLag map[string]int64
}

// snapshotSource takes samples; kafkaSource in production, a fake in tests.
type snapshotSource interface {
	snapshot(ctx context.Context) (snapshot, error)
}

// ratePoint is a throughput sample: rates over the interval ending at T.
type ratePoint struct {
	T             int64   `json:"t"` // ms since the epoch
	RecordsPerSec float64 `json:"recordsPerSec"`
	BytesPerSec   float64 `json:"bytesPerSec"`
}

type lagPoint struct {
	T   int64 `json:"t"`
	Lag int64 `json:"lag"`
}

// sampler samples throughput and lag at a fixed interval on its own
// goroutine and keeps the history in fixed-size rings. Rates come from the
// difference between consecutive samples: records from end offsets, bytes
// from log sizes (so retention deleting a segment in an interval hides that
// interval's bytes: rates never go negative).
type sampler struct {
	clk      clock.Clock
	interval time.Duration
	capacity int
	src      snapshotSource
	log      *slog.Logger

	mu      sync.Mutex
	prev    *snapshot
	prevAt  time.Time
	cluster *ring[ratePoint]
	topics  map[string]*ring[ratePoint]
	groups  map[string]*ring[lagPoint]

	ticker clock.Ticker
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

func newSampler(clk clock.Clock, interval, history time.Duration, src snapshotSource, log *slog.Logger) *sampler {
	capacity := int(history/interval) + 1
	ctx, cancel := context.WithCancel(context.Background())
	return &sampler{
		clk: clk, interval: interval, capacity: capacity, src: src, log: log,
		cluster: newRing[ratePoint](capacity),
		topics:  map[string]*ring[ratePoint]{},
		groups:  map[string]*ring[lagPoint]{},
		ctx:     ctx, cancel: cancel,
		done: make(chan struct{}),
	}
}

// start takes the first sample at the first tick. The ticker is made here,
// not on the goroutine, so a manual clock advanced right after start
// cannot miss it.
func (s *sampler) start() {
	s.ticker = s.clk.NewTicker(s.interval)
	go s.run()
}

func (s *sampler) run() {
	defer close(s.done)
	defer s.ticker.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.ticker.C():
			s.sampleOnce()
		}
	}
}

func (s *sampler) stop() {
	s.cancel()
	<-s.done
}

func (s *sampler) sampleOnce() {
	ctx, cancel := context.WithTimeout(s.ctx, s.interval)
	defer cancel()
	snap, err := s.src.snapshot(ctx)
	if err != nil {
		if s.ctx.Err() == nil {
			s.log.Debug("console: sampling throughput and lag failed", "err", err)
		}
		return
	}
	s.record(s.clk.Now(), snap)
}

// record adds a sample taken at now.
func (s *sampler) record(now time.Time, snap snapshot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ms := now.UnixMilli()
	for id, lag := range snap.groupLag {
		r := s.groups[id]
		if r == nil {
			r = newRing[lagPoint](s.capacity)
			s.groups[id] = r
		}
		r.push(lagPoint{T: ms, Lag: lag})
	}
	for id := range s.groups {
		if _, ok := snap.groupLag[id]; !ok {
			delete(s.groups, id)
		}
	}
	for name := range s.topics {
		if _, ok := snap.topics[name]; !ok {
			delete(s.topics, name)
		}
	}
	if s.prev != nil {
		secs := now.Sub(s.prevAt).Seconds()
		if secs > 0 {
			var total ratePoint
			total.T = ms
			for name, cur := range snap.topics {
				old, ok := s.prev.topics[name]
				if !ok {
					continue
				}
				p := ratePoint{
					T:             ms,
					RecordsPerSec: float64(max(cur.endOffsets-old.endOffsets, 0)) / secs,
					BytesPerSec:   float64(max(cur.sizeBytes-old.sizeBytes, 0)) / secs,
				}
				r := s.topics[name]
				if r == nil {
					r = newRing[ratePoint](s.capacity)
					s.topics[name] = r
				}
				r.push(p)
				if !cur.internal {
					total.RecordsPerSec += p.RecordsPerSec
					total.BytesPerSec += p.BytesPerSec
				}
			}
			s.cluster.push(total)
		}
	}
	s.prev, s.prevAt = &snap, now
}

func (s *sampler) topicSeries(name string) []ratePoint {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.topics[name]; r != nil {
		return r.values()
	}
	return []ratePoint{}
}

func (s *sampler) clusterSeries() []ratePoint {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cluster.values()
}

func (s *sampler) groupSeries(id string) []lagPoint {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.groups[id]; r != nil {
		return r.values()
	}
	return []lagPoint{}
}

// topicRate is the latest rate of a topic, nil before two samples.
func (s *sampler) topicRate(name string) (records, bytes *float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.topics[name]; r != nil {
		if p, ok := r.last(); ok {
			return &p.RecordsPerSec, &p.BytesPerSec
		}
	}
	return nil, nil
}

func (s *sampler) clusterRate() (records, bytes *float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.cluster.last(); ok {
		return &p.RecordsPerSec, &p.BytesPerSec
	}
	return nil, nil
}
