package main

// The harness's own franz-go load generator. It is used where neither
// Kafka's tools nor `odradek producer-perf-test` measure what the issue asks:
// keyed records, many producers in one process, and open-loop latency with
// an end-to-end leg, the same client for both systems.
//
// Open loop: record i of a producer is due at start + i/rate whatever
// happened to earlier records, and its latency counts from that intended
// time, so a stalled broker shows up in the tail instead of slowing the
// sender down (no coordinated omission). The intended time travels in the
// first 8 bytes of the value, so the consumer measures end-to-end latency
// from the same origin.

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

type loadSpec struct {
	bootstrap  string
	topic      string
	partitions int
	recordSize int
	producers  int
	keyed      bool
	// rate is records per second over all producers; 0 sends as fast as
	// the producers' buffers allow (closed loop, latency from the send call).
	rate float64
	// records is the total to send; with a rate it is rate*duration.
	records int64
	acks    string
	// roundRobin spreads records over all partitions explicitly, so every
	// partition of a 10,000-partition topic sees traffic.
	roundRobin bool
	// bulk trades latency for throughput (long linger, big buffers): for
	// filling a log, not for measuring.
	bulk bool
	// e2e runs a consumer that measures intended-send to receive.
	e2e bool
	// warmup excludes records due in this first stretch from percentiles.
	warmup time.Duration
}

type loadResult struct {
	acked      int64
	failed     int64
	bytes      int64
	wall       time.Duration
	produceLat []int64 // microseconds
	e2eLat     []int64 // microseconds
	received   int64
	err        error
	// warmEndNs is when the measured stretch starts, set once the producers'
	// clock starts and read by the consumer.
	warmEndNs atomic.Int64
}

func (s loadSpec) clientOpts() []kgo.Opt {
	opts := []kgo.Opt{
		kgo.SeedBrokers(strings.Split(s.bootstrap, ",")...), kgo.MetadataMinAge(metadataMinAge),
		kgo.DefaultProduceTopic(s.topic),
		kgo.ProducerBatchMaxBytes(1 << 20),
		// Kafka's producer default (compression.type=none); franz-go's is
		// snappy, which would shrink the harness's repetitive payloads.
		kgo.ProducerBatchCompression(kgo.NoCompression()),
		// As the Java client: retry until delivery.timeout.ms (120 s) runs out.
		kgo.RecordDeliveryTimeout(2 * time.Minute),
	}
	if s.acks == "1" {
		opts = append(opts, kgo.RequiredAcks(kgo.LeaderAck()), kgo.DisableIdempotentWrite())
	} else {
		opts = append(opts, kgo.RequiredAcks(kgo.AllISRAcks()))
	}
	if s.roundRobin {
		opts = append(opts, kgo.RecordPartitioner(kgo.ManualPartitioner()))
	}
	if s.bulk {
		opts = append(opts, kgo.ProducerLinger(20*time.Millisecond), kgo.MaxBufferedRecords(200_000))
	}
	return opts
}

// runLoad produces (and with e2e consumes) according to spec.
func runLoad(ctx context.Context, s loadSpec) (*loadResult, error) {
	if s.producers <= 0 || s.records <= 0 || s.recordSize < 8 {
		return nil, fmt.Errorf("load spec needs producers > 0, records > 0 and record size >= 8, got %d, %d, %d", s.producers, s.records, s.recordSize)
	}
	res := &loadResult{}
	var consumerDone chan struct{}
	var ccancel context.CancelFunc = func() {}
	if s.e2e {
		cctx, cancel := context.WithCancel(ctx)
		ccancel = cancel
		ready := make(chan error, 1)
		consumerDone = make(chan struct{})
		go func() {
			defer close(consumerDone)
			s.consume(cctx, res, ready)
		}()
		if err := <-ready; err != nil {
			cancel()
			<-consumerDone
			return nil, err
		}
	}
	clients := make([]*kgo.Client, s.producers)
	for i := range clients {
		cl, err := kgo.NewClient(s.clientOpts()...)
		if err != nil {
			for _, c := range clients[:i] {
				c.Close()
			}
			ccancel()
			return nil, fmt.Errorf("creating producer client: %w", err)
		}
		clients[i] = cl
	}
	// Connect and load metadata before the clock starts.
	for _, cl := range clients {
		if err := cl.Ping(ctx); err != nil {
			ccancel()
			return nil, fmt.Errorf("producer cannot reach %s: %w", s.bootstrap, err)
		}
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		lats     = make([][]int64, s.producers)
	)
	start := time.Now()
	res.warmEndNs.Store(start.Add(s.warmup).UnixNano())
	for p := range s.producers {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			lat, err := s.produce(ctx, clients[p], p, start, res)
			lats[p] = lat
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}(p)
	}
	wg.Wait()
	res.wall = time.Since(start)
	for _, cl := range clients {
		cl.Close()
	}
	for _, l := range lats {
		res.produceLat = append(res.produceLat, l...)
	}
	if s.e2e {
		// The consumer stops by itself once it has everything; the grace
		// period only bounds a run where records were lost.
		select {
		case <-consumerDone:
		case <-time.After(30 * time.Second):
			ccancel()
			<-consumerDone
		}
	}
	ccancel()
	res.err = firstErr
	if res.failed > 0 && res.err == nil {
		res.err = fmt.Errorf("%d records failed", res.failed)
	}
	return res, nil
}

// produce sends producer p's share of the records.
func (s loadSpec) produce(ctx context.Context, cl *kgo.Client, p int, start time.Time, res *loadResult) ([]int64, error) {
	n := s.records / int64(s.producers)
	if int64(p) < s.records%int64(s.producers) {
		n++
	}
	var (
		mu      sync.Mutex
		lat     = make([]int64, 0, n)
		wg      sync.WaitGroup
		errOnce atomic.Pointer[error]
		pool    = sync.Pool{New: func() any { b := make([]byte, s.recordSize); return &b }}
		filler  = make([]byte, s.recordSize)
		perRate = s.rate / float64(s.producers)
		warmEnd = start.Add(s.warmup)
	)
	for i := range filler {
		filler[i] = byte(rand.IntN(256))
	}
	// Producers are offset by a fraction of an interval so their sends
	// interleave instead of arriving in bursts.
	phase := time.Duration(0)
	if perRate > 0 {
		phase = time.Duration(float64(time.Second) / perRate * float64(p) / float64(s.producers))
	}
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		intended := time.Now()
		if perRate > 0 {
			intended = start.Add(phase + time.Duration(float64(i)/perRate*float64(time.Second)))
			if d := time.Until(intended); d > 0 {
				time.Sleep(d)
			}
		}
		bp := pool.Get().(*[]byte)
		v := *bp
		copy(v, filler)
		binary.BigEndian.PutUint64(v, uint64(intended.UnixNano()))
		r := &kgo.Record{Value: v}
		if s.keyed {
			r.Key = []byte("key-" + strconv.Itoa(rand.IntN(4096)))
		}
		if s.roundRobin {
			r.Partition = int32((i*int64(s.producers) + int64(p)) % int64(s.partitions))
		}
		wg.Add(1)
		cl.Produce(ctx, r, func(r *kgo.Record, err error) {
			defer wg.Done()
			done := time.Now()
			pool.Put(bp)
			if err != nil {
				atomic.AddInt64(&res.failed, 1)
				errOnce.CompareAndSwap(nil, &err)
				return
			}
			atomic.AddInt64(&res.acked, 1)
			atomic.AddInt64(&res.bytes, int64(len(r.Value)+len(r.Key)))
			if !intended.Before(warmEnd) {
				mu.Lock()
				lat = append(lat, done.Sub(intended).Microseconds())
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if e := errOnce.Load(); e != nil {
		return lat, fmt.Errorf("producing to %s: %w", s.topic, *e)
	}
	return lat, nil
}

// consume reads the topic from the start until every record has arrived,
// recording receive time minus intended send time.
func (s loadSpec) consume(ctx context.Context, res *loadResult, ready chan<- error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(s.bootstrap, ",")...), kgo.MetadataMinAge(metadataMinAge),
		kgo.ConsumeTopics(s.topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(100*time.Millisecond))
	if err != nil {
		ready <- fmt.Errorf("creating consumer: %w", err)
		return
	}
	defer cl.Close()
	if err := cl.Ping(ctx); err != nil {
		ready <- fmt.Errorf("consumer cannot reach %s: %w", s.bootstrap, err)
		return
	}
	ready <- nil
	var lat []int64
	for res.received < s.records {
		fs := cl.PollFetches(ctx)
		now := time.Now()
		if ctx.Err() != nil {
			break
		}
		warmEnd := time.Unix(0, res.warmEndNs.Load())
		fs.EachRecord(func(r *kgo.Record) {
			res.received++
			if len(r.Value) < 8 {
				return
			}
			intended := time.Unix(0, int64(binary.BigEndian.Uint64(r.Value)))
			if !intended.Before(warmEnd) {
				lat = append(lat, now.Sub(intended).Microseconds())
			}
		})
	}
	res.e2eLat = lat
}

// percentileMs returns the q-th percentile (0-100) of microsecond samples in
// milliseconds: the smallest sample at least q% of samples do not exceed.
func percentileMs(sorted []int64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	// The epsilon keeps float error (99.9/100*1000 = 999.0000000000001) from
	// moving the rank up by one.
	i := int(math.Ceil(q/100*float64(len(sorted))-1e-9)) - 1
	i = min(max(i, 0), len(sorted)-1)
	return float64(sorted[i]) / 1000
}

// spectrum is the percentiles the JSON keeps and the plot draws.
var spectrum = []float64{50, 75, 90, 95, 99, 99.9, 99.99, 100}

func percentiles(samples []int64) map[string]float64 {
	sorted := append([]int64(nil), samples...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	out := map[string]float64{}
	if len(sorted) == 0 {
		return out
	}
	for _, q := range spectrum {
		out[strconv.FormatFloat(q, 'f', -1, 64)] = percentileMs(sorted, q)
	}
	return out
}
