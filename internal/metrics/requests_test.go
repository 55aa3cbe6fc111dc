package metrics

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/odradek/odradek/internal/network"
)

func TestKafkaAPIName(t *testing.T) {
	tests := map[int16]string{
		0:  "Produce",
		1:  "Fetch",
		4:  "LeaderAndIsr",
		17: "SaslHandshake",
		18: "ApiVersions",
		22: "InitProducerId",
		29: "DescribeAcls",
		50: "DescribeUserScramCredentials",
		67: "AllocateProducerIds",
		68: "ConsumerGroupHeartbeat",
		-5: "Unknown-5",
	}
	for key, want := range tests {
		if got := KafkaAPIName(key); got != want {
			t.Errorf("KafkaAPIName(%d) = %q, want %q", key, got, want)
		}
	}
}

// gather collects c alone and indexes the series by name.
func gather(t *testing.T, c prometheus.Collector) map[string]*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	fams, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, f := range fams {
		out[f.GetName()] = f
	}
	return out
}

// series finds the series of a family whose labels are exactly want.
func series(fams map[string]*dto.MetricFamily, name string, want ...string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
next:
	for _, m := range f.GetMetric() {
		if len(m.GetLabel())*2 != len(want) {
			continue
		}
		for i, lp := range m.GetLabel() {
			if lp.GetName() != want[2*i] || lp.GetValue() != want[2*i+1] {
				continue next
			}
		}
		return m
	}
	return nil
}

func TestRequestMetrics(t *testing.T) {
	m := newRequestMetrics()
	m.ObserveRequest(network.RequestObservation{APIKey: 0, APIVersion: 9, Total: 2 * time.Millisecond, Processing: time.Millisecond, RequestBytes: 100, ResponseBytes: 40})
	m.ObserveRequest(network.RequestObservation{APIKey: 0, APIVersion: 9, Total: 3 * time.Millisecond, RequestBytes: 50, Failed: true})
	m.ObserveRequest(network.RequestObservation{APIKey: 0, APIVersion: 13, RequestBytes: 10})
	m.ObserveRequest(network.RequestObservation{APIKey: 999}) // not an API: ignored
	fams := gather(t, m)

	if s := series(fams, "kafka_network_requestmetrics_requests_total", "request", "Produce", "version", "9"); s == nil || s.GetCounter().GetValue() != 2 {
		t.Fatalf("Produce v9 requests = %v, want 2", s)
	}
	if s := series(fams, "kafka_network_requestmetrics_requests_total", "request", "Produce", "version", "13"); s == nil || s.GetCounter().GetValue() != 1 {
		t.Fatalf("Produce v13 requests = %v, want 1", s)
	}
	if s := series(fams, "odradek_request_failures_total", "request", "Produce"); s.GetCounter().GetValue() != 1 {
		t.Fatalf("failures = %v, want 1", s)
	}
	if s := series(fams, "odradek_request_bytes_total", "request", "Produce"); s.GetCounter().GetValue() != 160 {
		t.Fatalf("request bytes = %v, want 160", s)
	}
	if s := series(fams, "odradek_response_bytes_total", "request", "Produce"); s.GetCounter().GetValue() != 40 {
		t.Fatalf("response bytes = %v, want 40", s)
	}
	h := series(fams, "odradek_request_duration_seconds", "request", "Produce").GetHistogram()
	if h.GetSampleCount() != 3 || h.GetSampleSum() < 0.0049 || h.GetSampleSum() > 0.0051 {
		t.Fatalf("duration histogram count %d sum %v, want 3 and 0.005", h.GetSampleCount(), h.GetSampleSum())
	}
	if series(fams, "odradek_request_duration_seconds", "request", "Fetch") != nil {
		t.Fatal("an API never requested has series")
	}
}

func TestObserveRequestAllocatesNothing(t *testing.T) {
	m := newRequestMetrics()
	o := network.RequestObservation{Listener: "PLAINTEXT", APIKey: 1, APIVersion: 17, Total: time.Millisecond, RequestBytes: 80, ResponseBytes: 4000}
	m.ObserveRequest(o) // creates the key's metrics
	if n := testing.AllocsPerRun(1000, func() { m.ObserveRequest(o) }); n != 0 {
		t.Fatalf("ObserveRequest allocates %v times per call", n)
	}
}

func TestTopicMetrics(t *testing.T) {
	tm := newTopicMetrics()
	tm.Produced("a", 100, 3)
	tm.Produced("b", 50, 1)
	tm.Fetched("a", 70)
	live := map[string]bool{"a": true, "b": true}
	tm.setExists(func(topic string) bool { return live[topic] })
	fams := gather(t, tm)
	check := func(name, topic string, want float64) {
		t.Helper()
		s := series(fams, name, "topic", topic)
		if s == nil || s.GetCounter().GetValue() != want {
			t.Errorf("%s{topic=%q} = %v, want %v", name, topic, s, want)
		}
	}
	check("kafka_server_brokertopicmetrics_bytesin_total", "a", 100)
	check("kafka_server_brokertopicmetrics_messagesin_total", "a", 3)
	check("kafka_server_brokertopicmetrics_bytesout_total", "a", 70)
	check("kafka_server_brokertopicmetrics_bytesin_total", "", 150)
	check("kafka_server_brokertopicmetrics_messagesin_total", "", 4)

	delete(live, "b")
	fams = gather(t, tm)
	if series(fams, "kafka_server_brokertopicmetrics_bytesin_total", "topic", "b") != nil {
		t.Fatal("a deleted topic's counters are still reported")
	}
	check("kafka_server_brokertopicmetrics_bytesin_total", "", 150)

	if n := testing.AllocsPerRun(1000, func() { tm.Produced("a", 10, 1) }); n != 0 {
		t.Fatalf("Produced allocates %v times per call", n)
	}
}
