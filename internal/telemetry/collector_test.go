package telemetry

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/proto"
)

func sumPayload(t *testing.T, name string, v int64, temporality metricspb.AggregationTemporality, monotonic bool) []byte {
	t.Helper()
	md := &metricspb.MetricsData{ResourceMetrics: []*metricspb.ResourceMetrics{{
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{{
			Name: name,
			Data: &metricspb.Metric_Sum{Sum: &metricspb.Sum{AggregationTemporality: temporality, IsMonotonic: monotonic,
				DataPoints: []*metricspb.NumberDataPoint{{Value: &metricspb.NumberDataPoint_AsInt{AsInt: v},
					Attributes: []*commonpb.KeyValue{strAttr("topic", "orders")}}}}},
		}, {
			Name: "org.apache.kafka.producer.latency",
			Data: &metricspb.Metric_Histogram{Histogram: &metricspb.Histogram{AggregationTemporality: temporality,
				DataPoints: []*metricspb.HistogramDataPoint{{Count: 3, Sum: proto.Float64(12), ExplicitBounds: []float64{1, 10}, BucketCounts: []uint64{1, 1, 1}}}}},
		}}}},
	}}}
	b, err := proto.Marshal(md)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gather(t *testing.T, m *Manager) map[string]*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(m.Collector()); err != nil {
		t.Fatal(err)
	}
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

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

func TestCollectorExposesPushedMetrics(t *testing.T) {
	m, clk := newTestManager(t)
	a, _ := m.GetSubscriptions([16]byte{}, javaClient)
	push := func(payload []byte) {
		t.Helper()
		wantCode(t, "push", m.Push(Push{ClientInstanceID: a.ClientInstanceID, SubscriptionID: a.SubscriptionID, Metrics: payload}, javaClient), nil)
		clk.Advance(2 * time.Second)
	}
	delta := metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA
	push(gaugePayload(t, "org.apache.kafka.producer.record.send.rate", 3.5))
	push(sumPayload(t, "org.apache.kafka.producer.record.send.total", 5, delta, true))
	push(sumPayload(t, "org.apache.kafka.producer.record.send.total", 7, delta, true))
	push(gaugePayload(t, "kafka.server.fake", 1)) // would shadow a broker name

	fams := gather(t, m)
	g := fams["org_apache_kafka_producer_record_send_rate"]
	if g == nil || g.GetType() != dto.MetricType_GAUGE || len(g.GetMetric()) != 1 || g.GetMetric()[0].GetGauge().GetValue() != 3.5 {
		t.Fatalf("gauge: %v", g)
	}
	want := map[string]string{"client_instance_id": uuidString(a.ClientInstanceID), "client_id": "app-1", "client_rack": "r1", "node_id": "1"}
	if got := labels(g.GetMetric()[0]); len(got) != len(want) || got["client_instance_id"] != want["client_instance_id"] ||
		got["client_id"] != "app-1" || got["client_rack"] != "r1" || got["node_id"] != "1" {
		t.Errorf("gauge labels: got %v, want %v", got, want)
	}
	c := fams["org_apache_kafka_producer_record_send_total"]
	if c == nil || c.GetType() != dto.MetricType_COUNTER || c.GetMetric()[0].GetCounter().GetValue() != 12 {
		t.Fatalf("delta counter should accumulate to 12: %v", c)
	}
	h := fams["org_apache_kafka_producer_latency"]
	if h == nil || h.GetType() != dto.MetricType_HISTOGRAM || h.GetMetric()[0].GetHistogram().GetSampleCount() != 6 {
		t.Fatalf("delta histogram should accumulate to 6 samples: %v", h)
	}
	if fams["client_kafka_server_fake"] == nil || fams["kafka_server_fake"] != nil {
		t.Errorf("a client metric in the broker's namespace must be prefixed: %v", fams)
	}

	// A client that stops pushing is forgotten after max(60s, 3 intervals).
	clk.Advance(61 * time.Second)
	if fams := gather(t, m); len(fams) != 0 {
		t.Errorf("series of a silent client still exposed: %v", fams)
	}
}

func TestCollectorUnionsLabelsAcrossClients(t *testing.T) {
	m, clk := newTestManager(t)
	other := Client{ConnID: 9, ClientID: "app-2"}
	a, _ := m.GetSubscriptions([16]byte{}, javaClient)
	b, _ := m.GetSubscriptions([16]byte{}, other)
	wantCode(t, "push a", m.Push(Push{ClientInstanceID: a.ClientInstanceID, SubscriptionID: a.SubscriptionID,
		Metrics: gaugePayload(t, "org.apache.kafka.x", 1)}, javaClient), nil)
	cumulative := metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE
	// Same name, different kind and label set from another client.
	wantCode(t, "push b", m.Push(Push{ClientInstanceID: b.ClientInstanceID, SubscriptionID: b.SubscriptionID,
		Metrics: sumPayload(t, "org.apache.kafka.x", 4, cumulative, false)}, other), nil)
	clk.Advance(time.Second)
	fams := gather(t, m) // the pedantic registry refuses inconsistent families
	if f := fams["org_apache_kafka_x"]; f == nil || len(f.GetMetric()) != 2 {
		t.Fatalf("both clients' points expected (a non-monotonic sum is a gauge): %v", f)
	}
}
