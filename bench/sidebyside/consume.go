package main

// Workload (c): consume throughput from a cold log (server restarted, the
// log's pages evicted from the page cache), a warm one, and through a
// consumer group with both systems' consumer-perf-test.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// consumeTopic is written by the odradek-tool run of workload (a).
const consumeTopic = "a-odradek-tool"

const toolKafkaConsumer = "ConsumerPerformance (Kafka 4.3 Java client)"

func (r *runner) consume(ctx context.Context, c *cluster, res *SystemResult) error {
	p := r.prof
	total, err := topicRecords(ctx, c.bootstrap(), consumeTopic)
	if err != nil {
		return err
	}
	if err := c.stop(time.Minute); err != nil {
		return err
	}
	var dirs []string
	for _, n := range c.nodes {
		dirs = append(dirs, n.logDir())
	}
	if err := evictPageCache(dirs); err != nil {
		return err
	}
	ready, err := c.start(ctx, p.readyTimeout)
	if err != nil {
		return fmt.Errorf("restart before the cold read: %w", err)
	}
	res.Extra["restart_with_data_to_ready_ms"] = ready
	bs := c.bootstrap()
	// The cold read times reading, not a server still loading its partitions.
	if err := waitLeaders(ctx, bs, consumeTopic, p.partitions, p.readyTimeout); err != nil {
		return err
	}
	for _, phase := range []string{"cold", "warm"} {
		wl := "consume, " + phase + " log"
		u := startUsage(c.pids())
		n, bytes, wall, err := readAll(ctx, bs, consumeTopic, total, p.toolTimeout)
		ru := u.end(wl, bytes)
		if err != nil {
			return fmt.Errorf("%s: %w", wl, err)
		}
		res.Resources = append(res.Resources, ru)
		res.Consume = append(res.Consume, ConsumeResult{Workload: wl, Tool: toolHarness + ", assigned partitions",
			Records: n, RecordsPerS: float64(n) / wall.Seconds(), MiBPerS: float64(bytes) / (1 << 20) / wall.Seconds(),
			ServerCPUSec: ru.CPUSec})
	}
	for _, kafkaTool := range []bool{true, false} {
		args := []string{"--bootstrap-server", bs, "--topic", consumeTopic, "--num-records", strconv.FormatInt(total, 10),
			"--timeout", "60000"}
		tool := toolKafkaConsumer
		if kafkaTool {
			args = r.env.javaTool("org.apache.kafka.tools.ConsumerPerformance", append(args, "--group", "c-kafka-tool")...)
		} else {
			tool = "odradek consumer-perf-test (franz-go)"
			args = r.env.odradekTool(append([]string{"consumer-perf-test", "--group", "c-odradek-tool"}, args...)...)
		}
		wl := "consume, warm log, group"
		u := startUsage(c.pids())
		out, err := r.env.runTool(ctx, p.toolTimeout, args)
		var s consumerSummary
		if err == nil {
			s, err = parseConsumerPerf(out)
		}
		ru := u.end(wl+", "+tool, int64(s.mib*(1<<20)))
		if err != nil {
			return fmt.Errorf("%s: %w", tool, err)
		}
		if s.records < total {
			return fmt.Errorf("%s consumed %d of %d records", tool, s.records, total)
		}
		res.Resources = append(res.Resources, ru)
		res.Consume = append(res.Consume, ConsumeResult{Workload: wl, Tool: tool, Group: true, Records: s.records,
			RecordsPerS: s.recPerSec, MiBPerS: s.mibPerSec, ServerCPUSec: ru.CPUSec})
	}
	return nil
}

// topicRecords is the sum of the end offsets of a topic's partitions.
func topicRecords(ctx context.Context, bootstrap, topic string) (int64, error) {
	adm, err := newAdmin(bootstrap)
	if err != nil {
		return 0, err
	}
	defer adm.Close()
	ends, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		return 0, fmt.Errorf("end offsets of %s: %w", topic, err)
	}
	var sum int64
	var ferr error
	ends.Each(func(o kadm.ListedOffset) {
		if o.Err != nil && ferr == nil {
			ferr = o.Err
		}
		sum += o.Offset
	})
	if ferr != nil {
		return 0, fmt.Errorf("end offsets of %s: %w", topic, ferr)
	}
	return sum, nil
}

// readAll consumes n records of topic from the start over assigned
// partitions and reports what it read and how long it took from the first
// request.
func readAll(ctx context.Context, bootstrap, topic string, n int64, timeout time.Duration) (int64, int64, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	t0 := time.Now()
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(bootstrap, ",")...), kgo.MetadataMinAge(metadataMinAge), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		return 0, 0, 0, fmt.Errorf("consumer: %w", err)
	}
	defer cl.Close()
	var got, bytes int64
	for got < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return got, bytes, time.Since(t0), fmt.Errorf("read %d of %d records of %s: %w", got, n, topic, ctx.Err())
		}
		if got == 0 && fs.NumRecords() > 0 {
			stepf("  first records of %s after %.2fs", topic, time.Since(t0).Seconds())
		}
		fs.EachRecord(func(r *kgo.Record) {
			got++
			bytes += int64(len(r.Value) + len(r.Key))
		})
	}
	stepf("  read %d records of %s in %.2fs", got, topic, time.Since(t0).Seconds())
	return got, bytes, time.Since(t0), nil
}
