//go:build bench

// Package rebalance measures how long existing group members stop receiving
// records when a ninth member joins a group of eight on 48 partitions, for
// the classic eager and cooperative protocols and the consumer protocol
// (KIP-848). Run with `make bench-rebalance`; results are recorded in
// docs/benchmarks.md, never asserted.
package rebalance

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/odradek/odradek/internal/testserver"
)

const (
	partitions = 48
	members    = 8
	produceHz  = 2000
	settle     = 6 * time.Second
	observe    = 12 * time.Second
)

type mode struct {
	name string
	opts []kgo.Opt
}

func TestRebalanceGaps(t *testing.T) {
	modes := []mode{
		{"classic eager (range)", []kgo.Opt{kgo.Balancers(kgo.RangeBalancer())}},
		{"classic cooperative-sticky", []kgo.Opt{kgo.Balancers(kgo.CooperativeStickyBalancer())}},
		{"consumer protocol (KIP-848)", []kgo.Opt{kgo.ServerSideBalancer()}},
	}
	var rows []string
	for _, m := range modes {
		maxGap, medGap, still := run(t, m)
		rows = append(rows, fmt.Sprintf("| %s | %v | %v | %d of %d |", m.name, maxGap.Round(time.Millisecond), medGap.Round(time.Millisecond), still, members))
	}
	fmt.Println("| protocol | longest gap of an existing member | median of members' longest gaps | members with no gap over 1 s |")
	fmt.Println("|---|---|---|---|")
	for _, r := range rows {
		fmt.Println(r)
	}
}

// run returns, over the existing members, the longest and the median of
// each member's longest pause in receiving records from just before the
// ninth member joins until the end of the window, and how many members never
// paused longer than a second.
func run(t *testing.T, m mode) (time.Duration, time.Duration, int) {
	srv := testserver.Start(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	topic := "rebalance"
	adm := kadm.NewClient(mustClient(t, kgo.SeedBrokers(srv.Bootstrap)))
	if _, err := adm.CreateTopic(ctx, partitions, 1, nil, topic); err != nil {
		t.Fatal(err)
	}
	prod := mustClient(t, kgo.SeedBrokers(srv.Bootstrap), kgo.DefaultProduceTopic(topic),
		kgo.RecordPartitioner(kgo.RoundRobinPartitioner()), kgo.ProducerLinger(0))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Second / produceHz)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				prod.Produce(ctx, kgo.StringRecord("x"), nil)
			}
		}
	}()

	type receipts struct {
		mu      sync.Mutex
		times   []time.Time
		revoked []time.Time
	}
	recv := make([]*receipts, members+1)
	group := fmt.Sprintf("g-%d", time.Now().UnixNano())
	start := func(i int) {
		recv[i] = &receipts{}
		r := recv[i]
		opts := append([]kgo.Opt{kgo.SeedBrokers(srv.Bootstrap), kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic),
			kgo.FetchMaxWait(100 * time.Millisecond),
			kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, revoked map[string][]int32) {
				if len(revoked[topic]) > 0 {
					r.mu.Lock()
					r.revoked = append(r.revoked, time.Now())
					r.mu.Unlock()
				}
			})}, m.opts...)
		cl := mustClient(t, opts...)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				fs := cl.PollFetches(ctx)
				if n := len(fs.Records()); n > 0 {
					recv[i].mu.Lock()
					recv[i].times = append(recv[i].times, time.Now())
					recv[i].mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < members; i++ {
		start(i)
	}
	time.Sleep(settle)
	joined := time.Now()
	start(members)
	time.Sleep(observe)
	cancel()
	wg.Wait()

	from, to := joined.Add(-time.Second), joined.Add(observe)
	var gaps []time.Duration
	still, revoking := 0, 0
	for i := 0; i < members; i++ {
		recv[i].mu.Lock()
		prev, longest := from, time.Duration(0)
		for _, ts := range recv[i].times {
			if ts.Before(from) {
				continue
			}
			longest = max(longest, ts.Sub(prev))
			prev = ts
		}
		// A member that lost all its partitions for good ends its pause
		// at the window's end.
		longest = max(longest, to.Sub(prev))
		for _, ts := range recv[i].revoked {
			if ts.After(joined) {
				revoking++
				break
			}
		}
		recv[i].mu.Unlock()
		gaps = append(gaps, longest)
		if longest <= time.Second {
			still++
		}
	}
	recv[members].mu.Lock()
	newcomer := len(recv[members].times)
	first := time.Duration(-1)
	if newcomer > 0 {
		first = recv[members].times[0].Sub(joined)
	}
	recv[members].mu.Unlock()
	t.Logf("%s: %d of %d existing members had partitions revoked; the ninth member received %d fetches, the first %v after it started",
		m.name, revoking, members, newcomer, first.Round(time.Millisecond))
	if newcomer == 0 {
		t.Errorf("%s: the ninth member never received records; the measurement is void", m.name)
	}
	sort.Slice(gaps, func(i, j int) bool { return gaps[i] < gaps[j] })
	return gaps[len(gaps)-1], gaps[len(gaps)/2], still
}

func mustClient(t *testing.T, opts ...kgo.Opt) *kgo.Client {
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}
