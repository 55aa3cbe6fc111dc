package metrics

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/network"
)

// Request metrics. Kafka's RequestMetrics MBeans carry per-request rates
// and Yammer histograms that the JMX exporter can only render as
// quantile gauges; the rates keep Kafka's rendered names, the latencies are
// real Prometheus histograms under odradek_ names.
var (
	requestsDesc = prometheus.NewDesc("kafka_network_requestmetrics_requests_total",
		"Requests served, by API and version (Kafka's RequestMetrics RequestsPerSec).", []string{"request", "version"}, nil)
	requestFailuresDesc = prometheus.NewDesc("odradek_request_failures_total",
		"Requests that closed the connection instead of being answered (handler error, undecodable body, failed write).", []string{"request"}, nil)
	requestBytesDesc = prometheus.NewDesc("odradek_request_bytes_total",
		"Bytes of requests received, framing included.", []string{"request"}, nil)
	responseBytesDesc = prometheus.NewDesc("odradek_response_bytes_total",
		"Bytes of responses sent, framing included.", []string{"request"}, nil)
)

// requestBuckets span 100µs to ~100s: a fast metadata answer to a fetch
// long poll at its maximum wait.
var requestBuckets = prometheus.ExponentialBuckets(0.0001, 2.5, 16)

type requestPhase struct {
	name, help string
}

var requestPhases = []requestPhase{
	{"odradek_request_duration_seconds", "Time from a request being read to its response being written (Kafka's TotalTimeMs)."},
	{"odradek_request_queue_seconds", "Time from a request being read to its handler starting: header parse and body decode (Kafka's RequestQueueTimeMs)."},
	{"odradek_request_processing_seconds", "Time in the request handler, long polls and acks=all waits included (Kafka's LocalTimeMs plus RemoteTimeMs)."},
	{"odradek_request_send_seconds", "Time writing the response to the connection (Kafka's ResponseSendTimeMs)."},
}

// maxVersions bounds the per-version counters kept per API key; versions
// beyond it are counted under the last slot's label.
const maxVersions = 32

// RequestMetrics implements network.RequestObserver. Metrics for an API
// key are created at its first request, so unused APIs add no series; after
// that, observing a request takes no locks and allocates nothing.
type RequestMetrics struct {
	mu     sync.Mutex // serializes creation of a key's metrics
	keys   [kmsg.MaxKey + 1]atomic.Pointer[keyMetrics]
	phases [4]*prometheus.HistogramVec
}

type keyMetrics struct {
	name      string
	versions  [maxVersions]atomic.Uint64
	failures  atomic.Uint64
	reqBytes  atomic.Uint64
	respBytes atomic.Uint64
	phases    [4]prometheus.Observer
}

func newRequestMetrics() *RequestMetrics {
	m := &RequestMetrics{}
	for i, p := range requestPhases {
		m.phases[i] = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: p.name, Help: p.help, Buckets: requestBuckets}, []string{"request"})
	}
	return m
}

var _ network.RequestObserver = (*RequestMetrics)(nil)

// ObserveRequest counts one served request.
func (m *RequestMetrics) ObserveRequest(o network.RequestObservation) {
	if o.APIKey < 0 || int(o.APIKey) >= len(m.keys) {
		return
	}
	km := m.keys[o.APIKey].Load()
	if km == nil {
		km = m.create(o.APIKey)
	}
	v := int(o.APIVersion)
	if v < 0 {
		v = 0
	}
	km.versions[min(v, maxVersions-1)].Add(1)
	if o.Failed {
		km.failures.Add(1)
	}
	km.reqBytes.Add(uint64(o.RequestBytes))
	km.respBytes.Add(uint64(o.ResponseBytes))
	km.phases[0].Observe(o.Total.Seconds())
	km.phases[1].Observe(o.Queue.Seconds())
	km.phases[2].Observe(o.Processing.Seconds())
	km.phases[3].Observe(o.Send.Seconds())
}

func (m *RequestMetrics) create(key int16) *keyMetrics {
	m.mu.Lock()
	defer m.mu.Unlock()
	if km := m.keys[key].Load(); km != nil {
		return km
	}
	km := &keyMetrics{name: KafkaAPIName(key)}
	for i, h := range m.phases {
		km.phases[i] = h.WithLabelValues(km.name)
	}
	m.keys[key].Store(km)
	return km
}

// KafkaAPIName is the name Kafka gives an API key in metric tags
// (ApiKeys.name: InitProducerId, CreateAcls, SaslHandshake ...).
func KafkaAPIName(key int16) string {
	n := kmsg.NameForKey(key)
	if n == "" || n == "Unknown" {
		return "Unknown" + strconv.Itoa(int(key))
	}
	return apiNameFixer.Replace(n)
}

var apiNameFixer = strings.NewReplacer("SCRAM", "Scram", "SASL", "Sasl", "ACL", "Acl", "ISR", "Isr", "ID", "Id")

// Describe implements prometheus.Collector.
func (m *RequestMetrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- requestsDesc
	ch <- requestFailuresDesc
	ch <- requestBytesDesc
	ch <- responseBytesDesc
	for _, h := range m.phases {
		h.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (m *RequestMetrics) Collect(ch chan<- prometheus.Metric) {
	for i := range m.keys {
		km := m.keys[i].Load()
		if km == nil {
			continue
		}
		for v := range km.versions {
			if n := km.versions[v].Load(); n > 0 {
				ch <- prometheus.MustNewConstMetric(requestsDesc, prometheus.CounterValue, float64(n), km.name, strconv.Itoa(v))
			}
		}
		ch <- prometheus.MustNewConstMetric(requestFailuresDesc, prometheus.CounterValue, float64(km.failures.Load()), km.name)
		ch <- prometheus.MustNewConstMetric(requestBytesDesc, prometheus.CounterValue, float64(km.reqBytes.Load()), km.name)
		ch <- prometheus.MustNewConstMetric(responseBytesDesc, prometheus.CounterValue, float64(km.respBytes.Load()), km.name)
	}
	for _, h := range m.phases {
		h.Collect(ch)
	}
}
