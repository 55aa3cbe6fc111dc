package main

// Workloads (a), maximum produce throughput, and (b), latency at a fixed rate.

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"
)

const (
	toolKafkaProducer = "ProducerPerformance (Kafka 4.3 Java client)"
	toolOdradekPerf   = "odradek producer-perf-test (franz-go)"
	toolHarness       = "harness load generator (franz-go)"
	toolKafkaE2E      = "EndToEndLatency (Kafka 4.3 Java client)"
)

// parallel runs one command per producer at once and returns their outputs.
func (r *runner) parallel(ctx context.Context, n int, argsFor func(i int) []string) ([]string, error) {
	outs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			outs[i], errs[i] = r.env.runTool(ctx, r.prof.toolTimeout, argsFor(i))
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return outs, err
		}
	}
	return outs, nil
}

// perfToolArgs is the producer-perf-test command line, the same flags for
// Kafka's tool and Odradek's. compression.type=none is Kafka's default and
// spelled out because Odradek's tool (franz-go) would otherwise use snappy.
func (r *runner) perfToolArgs(kafkaTool bool, bootstrap, topic string, records int64, throughput float64) []string {
	args := []string{"--topic", topic, "--num-records", strconv.FormatInt(records, 10),
		"--record-size", strconv.Itoa(r.prof.recordSize), "--throughput", formatRate(throughput),
		"--producer-props", "bootstrap.servers=" + bootstrap, "acks=all", "compression.type=none"}
	if kafkaTool {
		return r.env.javaTool("org.apache.kafka.tools.ProducerPerformance", args...)
	}
	return r.env.odradekTool(append([]string{"producer-perf-test"}, args...)...)
}

func formatRate(r float64) string {
	if r < 0 {
		return "-1"
	}
	return strconv.FormatInt(int64(math.Round(r)), 10)
}

// runPerfTools runs producers copies of a producer-perf-test and sums them:
// throughput adds up, p50 is the mean and the tail percentiles the worst of
// the processes (the tools report no histograms to merge).
func (r *runner) runPerfTools(ctx context.Context, kafkaTool bool, bootstrap, topic string, producers int, records int64, rate float64) (perfSummary, error) {
	per := records / int64(producers)
	outs, err := r.parallel(ctx, producers, func(int) []string {
		pr := rate
		if rate > 0 {
			pr = rate / float64(producers)
		}
		return r.perfToolArgs(kafkaTool, bootstrap, topic, per, pr)
	})
	if err != nil {
		return perfSummary{}, err
	}
	var sum perfSummary
	for _, out := range outs {
		s, err := parseProducerPerf(out)
		if err != nil {
			return perfSummary{}, err
		}
		sum.records += s.records
		sum.recPerSec += s.recPerSec
		sum.p50 += s.p50 / float64(producers)
		sum.p95 = max(sum.p95, s.p95)
		sum.p99 = max(sum.p99, s.p99)
		sum.p999 = max(sum.p999, s.p999)
		sum.maxMs = max(sum.maxMs, s.maxMs)
	}
	sum.mibPerSec = sum.recPerSec * float64(r.prof.recordSize) / (1 << 20)
	return sum, nil
}

// maxProduce is workload (a): 1 KiB records, acks=all, one topic with
// prof.partitions partitions, several producers, as fast as they go. The
// topic odradek-tool run writes stays for the consume workload.
func (r *runner) maxProduce(ctx context.Context, c *cluster, res *SystemResult) error {
	p := r.prof
	bs := c.bootstrap()
	for _, kafkaTool := range []bool{true, false} {
		topic, tool, wl := "a-kafka-tool", toolKafkaProducer, "max produce"
		if !kafkaTool {
			topic, tool = consumeTopic, toolOdradekPerf
		}
		if _, err := createTopic(ctx, bs, topic, p.partitions, c.rf, time.Minute); err != nil {
			return err
		}
		u := startUsage(c.pids())
		s, err := r.runPerfTools(ctx, kafkaTool, bs, topic, p.producers, p.produceRecords, -1)
		ru := u.end(wl+", "+tool, int64(float64(s.records)*float64(p.recordSize)))
		if err != nil {
			return fmt.Errorf("%s: %w", tool, err)
		}
		res.Resources = append(res.Resources, ru)
		res.Produce = append(res.Produce, ProduceResult{Workload: wl, Tool: tool, Producers: p.producers,
			Records: s.records, RecordsPerS: s.recPerSec, MiBPerS: s.mibPerSec,
			P50Ms: s.p50, P99Ms: s.p99, P999Ms: s.p999, ServerCPUSec: ru.CPUSec})
		if kafkaTool {
			if err := deleteTopic(ctx, bs, topic); err != nil {
				return err
			}
		}
	}
	for _, v := range []struct {
		wl        string
		producers int
		keyed     bool
	}{
		{"max produce, keyed", p.producers, true},
		{"max produce, many producers", p.manyProducers, false},
	} {
		topic := "a-" + strconv.Itoa(v.producers) + "-" + strconv.FormatBool(v.keyed)
		if _, err := createTopic(ctx, bs, topic, p.partitions, c.rf, time.Minute); err != nil {
			return err
		}
		u := startUsage(c.pids())
		lr, err := runLoad(ctx, loadSpec{bootstrap: bs, topic: topic, partitions: p.partitions,
			recordSize: p.recordSize, producers: v.producers, keyed: v.keyed,
			records: p.produceRecords, acks: "all"})
		if err == nil {
			err = lr.err
		}
		var moved int64
		if lr != nil {
			moved = lr.bytes
		}
		ru := u.end(v.wl, moved)
		if err != nil {
			return fmt.Errorf("%s: %w", v.wl, err)
		}
		res.Resources = append(res.Resources, ru)
		pc := percentiles(lr.produceLat)
		rate := float64(lr.acked) / lr.wall.Seconds()
		res.Produce = append(res.Produce, ProduceResult{Workload: v.wl, Tool: toolHarness, Producers: v.producers,
			Keyed: v.keyed, Records: lr.acked, RecordsPerS: rate,
			MiBPerS: float64(lr.bytes) / (1 << 20) / lr.wall.Seconds(),
			P50Ms:   pc["50"], P99Ms: pc["99"], P999Ms: pc["99.9"], ServerCPUSec: ru.CPUSec})
		if err := deleteTopic(ctx, bs, topic); err != nil {
			return err
		}
	}
	return nil
}

// fixedRate is workload (b): the same load at rate records/s measured three
// ways, plus Kafka's one-at-a-time end-to-end probe.
func (r *runner) fixedRate(ctx context.Context, c *cluster, res *SystemResult, rate float64) error {
	p := r.prof
	bs := c.bootstrap()
	records := int64(rate * p.fixedRateSecs)
	if records < int64(p.producers) {
		return fmt.Errorf("fixed rate %.0f records/s for %.0fs is fewer records than producers", rate, p.fixedRateSecs)
	}
	// Open loop, our client, produce and end-to-end latency from intended send time.
	if _, err := createTopic(ctx, bs, "b-open-loop", p.partitions, c.rf, time.Minute); err != nil {
		return err
	}
	warm := min(time.Duration(p.fixedRateSecs*float64(time.Second))/10, 3*time.Second)
	u := startUsage(c.pids())
	lr, err := runLoad(ctx, loadSpec{bootstrap: bs, topic: "b-open-loop", partitions: p.partitions,
		recordSize: p.recordSize, producers: p.producers, rate: rate, records: records, acks: "all",
		e2e: true, warmup: warm})
	if err == nil {
		err = lr.err
	}
	if err != nil {
		u.end("", 0)
		return fmt.Errorf("open-loop run: %w", err)
	}
	res.Resources = append(res.Resources, u.end("fixed rate, open loop", lr.bytes*2))
	achieved := float64(lr.acked) / lr.wall.Seconds()
	res.Latency = append(res.Latency,
		LatencyResult{Workload: "produce", Tool: toolHarness, Measures: "intended send time → ack (open loop)",
			RatePerS: rate, Achieved: achieved, Samples: int64(len(lr.produceLat)), Percentiles: percentiles(lr.produceLat)},
		LatencyResult{Workload: "end-to-end", Tool: toolHarness, Measures: "intended send time → consumer receipt (open loop)",
			RatePerS: rate, Achieved: achieved, Samples: int64(len(lr.e2eLat)), Percentiles: percentiles(lr.e2eLat)})
	if lr.received < lr.acked {
		return fmt.Errorf("open-loop run: consumer received %d of %d acknowledged records", lr.received, lr.acked)
	}
	if err := deleteTopic(ctx, bs, "b-open-loop"); err != nil {
		return err
	}
	for _, kafkaTool := range []bool{true, false} {
		topic, tool, measures := "b-kafka-tool", toolKafkaProducer, "send() call → ack; the sender sleeps to hold the rate (closed loop)"
		if !kafkaTool {
			topic, tool, measures = "b-odradek-tool", toolOdradekPerf, "intended send time → ack (open loop)"
		}
		if _, err := createTopic(ctx, bs, topic, p.partitions, c.rf, time.Minute); err != nil {
			return err
		}
		toolRate := rate
		if capped := r.toolRates[tool]; capped > 0 {
			toolRate = min(rate, capped)
		}
		toolRecords := int64(toolRate * p.fixedRateSecs)
		s, err := r.runPerfTools(ctx, kafkaTool, bs, topic, p.producers, toolRecords, toolRate)
		if err != nil {
			return fmt.Errorf("%s at %.0f records/s: %w", tool, toolRate, err)
		}
		res.Latency = append(res.Latency, LatencyResult{Workload: "produce", Tool: tool, Measures: measures,
			RatePerS: toolRate, Achieved: s.recPerSec, Samples: s.records,
			Percentiles: map[string]float64{"50": s.p50, "95": s.p95, "99": s.p99, "99.9": s.p999, "100": s.maxMs}})
		if err := deleteTopic(ctx, bs, topic); err != nil {
			return err
		}
	}
	// Kafka's EndToEndLatency sends one record and waits to consume it before
	// the next: a round trip on an otherwise idle server.
	if _, err := createTopic(ctx, bs, "b-ping-pong", 1, c.rf, time.Minute); err != nil {
		return err
	}
	out, err := r.env.runTool(ctx, p.toolTimeout, r.env.javaTool("org.apache.kafka.tools.EndToEndLatency",
		"--bootstrap-server", bs, "--topic", "b-ping-pong", "--num-records", strconv.Itoa(p.pingPongs),
		"--producer-acks", "all", "--record-size", strconv.Itoa(p.recordSize)))
	if err != nil {
		return err
	}
	pc, err := parseEndToEnd(out)
	if err != nil {
		return err
	}
	res.Latency = append(res.Latency, LatencyResult{Workload: "end-to-end", Tool: toolKafkaE2E,
		Measures: "one record at a time: send → consumer receipt (whole ms)", Samples: int64(p.pingPongs), Percentiles: pc})
	return deleteTopic(ctx, bs, "b-ping-pong")
}
