package metrics

import (
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// Per-topic traffic, as Kafka's BrokerTopicMetrics. Kafka keeps one MBean
// per topic and one without a topic tag for the broker total; the JMX
// exporter renders the total without a topic label, which in Prometheus is
// the same series as topic="", so the total is reported with topic="".
var (
	bytesInDesc = prometheus.NewDesc("kafka_server_brokertopicmetrics_bytesin_total",
		"Bytes produced by clients, per topic (topic=\"\" is the broker total).", []string{"topic"}, nil)
	bytesOutDesc = prometheus.NewDesc("kafka_server_brokertopicmetrics_bytesout_total",
		"Bytes fetched by consumers, per topic (topic=\"\" is the broker total).", []string{"topic"}, nil)
	messagesInDesc = prometheus.NewDesc("kafka_server_brokertopicmetrics_messagesin_total",
		"Records produced by clients, per topic (topic=\"\" is the broker total).", []string{"topic"}, nil)
)

// TopicMetrics counts bytes and records per topic. It satisfies
// api.TopicMetrics: counting takes no lock and, after a topic's first
// record, allocates nothing.
type TopicMetrics struct {
	topics sync.Map // topic name -> *topicCounts
	total  topicCounts
	exists atomic.Pointer[func(string) bool]
}

type topicCounts struct {
	bytesIn, bytesOut, messagesIn atomic.Uint64
}

func newTopicMetrics() *TopicMetrics { return &TopicMetrics{} }

// setExists lets Collect drop the counters of deleted topics, as Kafka
// removes a deleted topic's MBeans.
func (t *TopicMetrics) setExists(fn func(string) bool) { t.exists.Store(&fn) }

func (t *TopicMetrics) counts(topic string) *topicCounts {
	if c, ok := t.topics.Load(topic); ok {
		return c.(*topicCounts)
	}
	c, _ := t.topics.LoadOrStore(topic, &topicCounts{})
	return c.(*topicCounts)
}

// Produced counts an append by a client.
func (t *TopicMetrics) Produced(topic string, bytes, records int64) {
	c := t.counts(topic)
	c.bytesIn.Add(uint64(bytes))
	c.messagesIn.Add(uint64(records))
	t.total.bytesIn.Add(uint64(bytes))
	t.total.messagesIn.Add(uint64(records))
}

// Fetched counts records sent to a consumer.
func (t *TopicMetrics) Fetched(topic string, bytes int64) {
	t.counts(topic).bytesOut.Add(uint64(bytes))
	t.total.bytesOut.Add(uint64(bytes))
}

// Describe implements prometheus.Collector.
func (t *TopicMetrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- bytesInDesc
	ch <- bytesOutDesc
	ch <- messagesInDesc
}

// Collect implements prometheus.Collector.
func (t *TopicMetrics) Collect(ch chan<- prometheus.Metric) {
	var exists func(string) bool
	if p := t.exists.Load(); p != nil {
		exists = *p
	}
	emit := func(topic string, c *topicCounts) {
		ch <- prometheus.MustNewConstMetric(bytesInDesc, prometheus.CounterValue, float64(c.bytesIn.Load()), topic)
		ch <- prometheus.MustNewConstMetric(bytesOutDesc, prometheus.CounterValue, float64(c.bytesOut.Load()), topic)
		ch <- prometheus.MustNewConstMetric(messagesInDesc, prometheus.CounterValue, float64(c.messagesIn.Load()), topic)
	}
	emit("", &t.total)
	t.topics.Range(func(k, v any) bool {
		topic := k.(string)
		if exists != nil && !exists(topic) {
			t.topics.Delete(topic)
			return true
		}
		emit(topic, v.(*topicCounts))
		return true
	})
}
