package api

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/storage"
)

// TopicMetrics counts client traffic per topic (Kafka's BrokerTopicMetrics
// BytesInPerSec, MessagesInPerSec, BytesOutPerSec). Calls come from request
// handlers, concurrently; they must be cheap and must not block.
type TopicMetrics interface {
	// Produced is called after a produce to topic appended records: the
	// batch bytes as received and the number of records.
	Produced(topic string, bytes, records int64)
	// Fetched is called for each partition a fetch response carries
	// records for, with the bytes of those records.
	Fetched(topic string, bytes int64)
}

// countProduced reports a successful append; a retried duplicate wrote
// nothing and is not counted, as in Kafka.
func (b *Broker) countProduced(topic string, records []byte, res storage.AppendResult) {
	if b.cfg.TopicMetrics == nil || res.Duplicate {
		return
	}
	b.cfg.TopicMetrics.Produced(topic, int64(len(records)), res.LastOffset-res.FirstOffset+1)
}

// countFetched reports records a fetch response carries to a consumer.
// Followers' fetches are replication traffic (Kafka counts those as
// ReplicationBytesOutPerSec) and are not counted.
func (b *Broker) countFetched(req *kmsg.FetchRequest, topic string, size int64) {
	if b.cfg.TopicMetrics == nil || size == 0 {
		return
	}
	replica := req.ReplicaID
	if req.Version >= 15 {
		replica = req.ReplicaState.ID
	}
	if replica >= 0 {
		return
	}
	b.cfg.TopicMetrics.Fetched(topic, size)
}
