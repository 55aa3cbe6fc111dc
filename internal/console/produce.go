package console

import (
	"net/http"

	"github.com/twmb/franz-go/pkg/kgo"
)

type produceHeader struct {
	Key   string  `json:"key"`
	Value *string `json:"value"`
}

type produceRequest struct {
	// Partition is optional: without it a keyed record goes where Kafka's
	// default partitioner puts it (murmur2 of the key), a keyless one to
	// the next partition in turn.
	Partition *int32 `json:"partition"`
	// Key and Value are sent as UTF-8 text; null (or absent) is a null key
	// or a tombstone value.
	Key     *string         `json:"key"`
	Value   *string         `json:"value"`
	Headers []produceHeader `json:"headers"`
}

// keyPartitioner is Kafka's default for keyed records (murmur2).
var keyPartitioner = kgo.StickyKeyPartitioner(nil)

// produceMessage writes one test record (acks=all, idempotent) and answers
// where it landed.
func (c *Console) produceMessage(r *http.Request) (any, error) {
	topic := r.PathValue("topic")
	var req produceRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	ctx, cancel := c.requestContext(r)
	defer cancel()
	t, err := c.topicDetail(ctx, topic)
	if err != nil {
		return nil, err
	}
	n := len(t.Partitions)
	if n == 0 {
		return nil, notFound("topic %s has no partitions", topic)
	}
	rec := &kgo.Record{Topic: topic}
	if req.Key != nil {
		rec.Key = []byte(*req.Key)
	}
	if req.Value != nil {
		rec.Value = []byte(*req.Value)
	}
	for _, h := range req.Headers {
		hv := kgo.RecordHeader{Key: h.Key}
		if h.Value != nil {
			hv.Value = []byte(*h.Value)
		}
		rec.Headers = append(rec.Headers, hv)
	}
	switch {
	case req.Partition != nil:
		if *req.Partition < 0 || int(*req.Partition) >= n {
			return nil, badField("partition", "topic %s has partitions 0 to %d, not %d", topic, n-1, *req.Partition)
		}
		rec.Partition = *req.Partition
	case rec.Key != nil:
		rec.Partition = int32(keyPartitioner.ForTopic(topic).Partition(rec, n))
	default:
		rec.Partition = int32((c.spread.Add(1) - 1) % uint32(n))
	}
	res := c.cl.ProduceSync(ctx, rec)
	got, err := res.First()
	if err != nil {
		return nil, kafkaError(err, "producing to "+topic, "")
	}
	return created{map[string]any{
		"topic": topic, "partition": got.Partition, "offset": got.Offset, "timestamp": got.Timestamp.UnixMilli(),
	}}, nil
}
