package console

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// partitionRef names a partition the way Fetch needs it: by name for old
// versions, by id from v13.
type partitionRef struct {
	topic     string
	topicID   [16]byte
	partition int32
	leader    int32
}

// maxFetchRounds bounds the Fetch requests behind one page, so a partition
// that yields nothing (only control records, a leader that keeps failing)
// ends the page instead of spinning.
const maxFetchRounds = 64

// readRecords reads up to limit records of a partition from offset from,
// stopping at offset until (exclusive; the high watermark). It sends plain
// Fetch requests without a session, exactly as a consumer would, and
// decodes the batches with the client's decoder. It returns the records and
// the offset to read next.
func (c *Console) readRecords(ctx context.Context, p partitionRef, from, until int64, limit int, maxPartitionBytes int32) ([]*kgo.Record, int64, error) {
	var out []*kgo.Record
	next := from
	for round := 0; round < maxFetchRounds && len(out) < limit && next < until; round++ {
		req := kmsg.NewPtrFetchRequest()
		req.MaxWaitMillis = 0
		req.MinBytes = 1
		req.MaxBytes = maxPartitionBytes
		req.SessionEpoch = -1
		rt := kmsg.NewFetchRequestTopic()
		rt.Topic = p.topic
		rt.TopicID = p.topicID
		rp := kmsg.NewFetchRequestTopicPartition()
		rp.Partition = p.partition
		rp.FetchOffset = next
		rp.PartitionMaxBytes = maxPartitionBytes
		rt.Partitions = append(rt.Partitions, rp)
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(ctx, c.cl.Broker(int(p.leader)))
		if err != nil {
			return nil, 0, fmt.Errorf("fetch %s-%d at offset %d: %w", p.topic, p.partition, next, err)
		}
		if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
			return nil, 0, kafkaError(err, "", "")
		}
		got := findFetchPartition(resp, p.partition)
		if got == nil {
			return nil, 0, fmt.Errorf("fetch %s-%d: the answer has no such partition", p.topic, p.partition)
		}
		if err := kerr.ErrorForCode(got.ErrorCode); err != nil {
			return nil, 0, kafkaError(err, fmt.Sprintf("fetching %s-%d at offset %d", p.topic, p.partition, next), "")
		}
		fp, after := kgo.ProcessFetchPartition(kgo.ProcessFetchPartitionOpts{
			Offset: next, Topic: p.topic, Partition: p.partition,
		}, got, c.decompressor, nil)
		if fp.Err != nil {
			return nil, 0, fmt.Errorf("decoding %s-%d at offset %d: %w", p.topic, p.partition, next, fp.Err)
		}
		for _, r := range fp.Records {
			if len(out) == limit || r.Offset >= until {
				break
			}
			out = append(out, r)
			next = r.Offset + 1
		}
		if len(out) == limit {
			break
		}
		if after <= next {
			// No progress: nothing more below the high watermark for now
			// (brokers return at least one whole batch, KIP-74).
			break
		}
		next = max(next, after)
	}
	return out, next, nil
}

func findFetchPartition(resp *kmsg.FetchResponse, partition int32) *kmsg.FetchResponseTopicPartition {
	for i := range resp.Topics {
		for j := range resp.Topics[i].Partitions {
			if resp.Topics[i].Partitions[j].Partition == partition {
				return &resp.Topics[i].Partitions[j]
			}
		}
	}
	return nil
}
