package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// metadataMinAge lets the harness's franz-go clients refresh metadata as
// soon as the Java client would (retry.backoff.ms=100) after a partition
// moves or appears; franz-go's default of 5 s would show up as a 5 s latency
// spike on whichever system answers NOT_LEADER once.
const metadataMinAge = 100 * time.Millisecond

// stepf logs the progress of a run; main sets it.
var stepf = func(string, ...any) {}

func newAdmin(bootstrap string) (*kadm.Client, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(bootstrap, ",")...), kgo.MetadataMinAge(metadataMinAge))
	if err != nil {
		return nil, fmt.Errorf("admin client for %s: %w", bootstrap, err)
	}
	return kadm.NewClient(cl), nil
}

// maxPartitionsPerRequest keeps one CreateTopics or CreatePartitions request
// under Kafka's limit of 10,000 records in one controller batch (a topic of
// 10,000 partitions is 10,001 records and Kafka answers POLICY_VIOLATION).
const maxPartitionsPerRequest = 5000

// createTopic creates a topic and waits until every partition has a leader,
// returning how long both took.
func createTopic(ctx context.Context, bootstrap, topic string, partitions, rf int, timeout time.Duration) (time.Duration, error) {
	adm, err := newAdmin(bootstrap)
	if err != nil {
		return 0, err
	}
	defer adm.Close()
	// The request's own timeout, 15 s by default, is how long the broker
	// waits for the controller; thousands of partitions can take longer.
	adm.SetTimeoutMillis(int32(timeout.Milliseconds()))
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	t0 := time.Now()
	first := min(partitions, maxPartitionsPerRequest)
	resp, err := adm.CreateTopic(ctx, int32(first), int16(rf), nil, topic)
	if err != nil {
		return 0, fmt.Errorf("creating topic %s (%d partitions): %w", topic, first, err)
	}
	if resp.Err != nil {
		return 0, fmt.Errorf("creating topic %s (%d partitions): %w %s", topic, first, resp.Err, resp.ErrMessage)
	}
	for have := first; have < partitions; {
		// UpdatePartitions sends the new total as it is; CreatePartitions
		// would first look up the current count in the client's cache.
		next := min(partitions, have+maxPartitionsPerRequest)
		rs, err := adm.UpdatePartitions(ctx, next, topic)
		if err == nil {
			err = rs.Error()
		}
		if err != nil {
			return 0, fmt.Errorf("growing %s from %d to %d partitions: %w", topic, have, next, err)
		}
		have = next
	}
	created := time.Since(t0)
	if err := waitLeaders(ctx, bootstrap, topic, partitions, timeout); err != nil {
		return 0, err
	}
	took := time.Since(t0)
	stepf("  create topic %s (%d partitions) took %.1fs (%.1fs to the CreateTopics answer)", topic, partitions, took.Seconds(), created.Seconds())
	return took, nil
}

// waitLeaders waits until a Metadata answer shows a leader for every
// partition. It asks the broker every time: kadm's Metadata may answer from
// the client's cache, which is minutes-old news for a topic just created.
func waitLeaders(ctx context.Context, bootstrap, topic string, partitions int, timeout time.Duration) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(bootstrap, ",")...), kgo.MetadataMinAge(metadataMinAge))
	if err != nil {
		return fmt.Errorf("metadata client for %s: %w", bootstrap, err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		req := kmsg.NewPtrMetadataRequest()
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(topic)
		req.Topics = append(req.Topics, rt)
		if resp, err := req.RequestWith(ctx, cl); err == nil && allLed(resp, partitions) {
			return nil
		}
		if err := sleepCtx(ctx, 10*time.Millisecond); err != nil {
			return fmt.Errorf("waiting for leaders of %d partitions of %s: %w", partitions, topic, err)
		}
	}
}

func allLed(resp *kmsg.MetadataResponse, partitions int) bool {
	if len(resp.Topics) != 1 || resp.Topics[0].ErrorCode != 0 || len(resp.Topics[0].Partitions) != partitions {
		return false
	}
	for _, p := range resp.Topics[0].Partitions {
		if p.ErrorCode != 0 || p.Leader < 0 {
			return false
		}
	}
	return true
}

func deleteTopic(ctx context.Context, bootstrap, topic string) error {
	adm, err := newAdmin(bootstrap)
	if err != nil {
		return err
	}
	defer adm.Close()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	t0 := time.Now()
	resp, err := adm.DeleteTopic(ctx, topic)
	stepf("  delete topic %s took %.1fs", topic, time.Since(t0).Seconds())
	if err == nil {
		err = resp.Err
	}
	if err != nil {
		return fmt.Errorf("deleting topic %s: %w", topic, err)
	}
	return nil
}

// serveProbe produces one record with acks=all to every partition of topic
// and reads each back, the test of "serving again" after a restart. It
// retries until timeout, as a client would while partitions recover.
func serveProbe(ctx context.Context, bootstrap, topic string, partitions int, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(bootstrap, ",")...), kgo.MetadataMinAge(metadataMinAge),
		kgo.DefaultProduceTopic(topic), kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.RequiredAcks(kgo.AllISRAcks()), kgo.RetryBackoffFn(func(int) time.Duration { return 10 * time.Millisecond }))
	if err != nil {
		return fmt.Errorf("probe client: %w", err)
	}
	defer cl.Close()
	offsets := map[int32]int64{}
	for p := range int32(partitions) {
		r, err := cl.ProduceSync(ctx, &kgo.Record{Partition: p, Value: []byte("probe")}).First()
		if err != nil {
			return fmt.Errorf("probe produce to %s-%d: %w", topic, p, err)
		}
		offsets[p] = r.Offset
	}
	parts := map[string]map[int32]kgo.Offset{topic: {}}
	for p, o := range offsets {
		parts[topic][p] = kgo.NewOffset().At(o)
	}
	cons, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(bootstrap, ",")...), kgo.MetadataMinAge(metadataMinAge), kgo.ConsumePartitions(parts),
		kgo.FetchMaxWait(50*time.Millisecond))
	if err != nil {
		return fmt.Errorf("probe consumer: %w", err)
	}
	defer cons.Close()
	seen := map[int32]bool{}
	for len(seen) < partitions {
		fs := cons.PollFetches(ctx)
		if ctx.Err() != nil {
			return fmt.Errorf("probe fetch from %s: read back %d of %d partitions: %w", topic, len(seen), partitions, ctx.Err())
		}
		// Fetch errors while partitions load are retried by the client.
		fs.EachRecord(func(r *kgo.Record) { seen[r.Partition] = true })
	}
	return nil
}
