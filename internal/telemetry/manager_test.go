package telemetry

import (
	"bytes"
	"errors"
	"math/rand"
	"net"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/twmb/franz-go/pkg/kerr"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	"google.golang.org/protobuf/proto"

	"github.com/odradek/odradek/internal/clock"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newTestManager(t *testing.T) (*Manager, *clock.Manual) {
	t.Helper()
	clk := clock.NewManual(t0)
	m := NewManager(Config{Clock: clk, Rand: rand.New(rand.NewSource(1)), MaxBytes: 4096})
	m.SetSubscriptions(map[string]map[string]string{
		"producers": {KeyMetrics: "org.apache.kafka.producer.", KeyInterval: "1000", KeyMatch: "client_software_name=apache-kafka-java"},
		"all-app":   {KeyMetrics: "org.apache.kafka.consumer.", KeyInterval: "2000", KeyMatch: "client_id=app-.*"},
	})
	return m, clk
}

var javaClient = Client{ConnID: 7, ClientID: "app-1", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50123}}

func wantCode(t *testing.T, what string, err error, code *kerr.Error) {
	t.Helper()
	if code == nil {
		if err != nil {
			t.Fatalf("%s: unexpected error %v", what, err)
		}
		return
	}
	if !errors.Is(err, code) {
		t.Fatalf("%s: got %v, want %s", what, err, code.Message)
	}
}

func TestGetSubscriptionsMergesMatches(t *testing.T) {
	m, _ := newTestManager(t)
	m.NoteSoftware(javaClient.ConnID, "apache-kafka-java", "4.3.1")
	a, err := m.GetSubscriptions([16]byte{}, javaClient)
	wantCode(t, "get", err, nil)
	if a.ClientInstanceID == ([16]byte{}) {
		t.Fatal("no client instance id assigned")
	}
	if a.PushIntervalMs != 1000 {
		t.Errorf("interval: got %d, want the smallest of the matching subscriptions (1000)", a.PushIntervalMs)
	}
	if len(a.RequestedMetrics) != 2 || a.RequestedMetrics[0] != "org.apache.kafka.consumer." || a.RequestedMetrics[1] != "org.apache.kafka.producer." {
		t.Errorf("metrics: got %v", a.RequestedMetrics)
	}
	if !a.DeltaTemporality || a.MaxBytes != 4096 || !bytes.Equal(int8sToBytes(a.AcceptedCompression), []byte{4, 3, 1, 2}) {
		t.Errorf("answer: %+v", a)
	}
	if a.SubscriptionID != subscriptionID(a.RequestedMetrics, 1000, a.ClientInstanceID) {
		t.Errorf("subscription id %d is not the hash of the subscription", a.SubscriptionID)
	}

	// Another client matches nothing: no metrics, the default interval.
	b, err := m.GetSubscriptions([16]byte{}, Client{ConnID: 8, ClientID: "other"})
	wantCode(t, "get other", err, nil)
	if len(b.RequestedMetrics) != 0 || b.PushIntervalMs != DefaultIntervalMs || b.ClientInstanceID == a.ClientInstanceID {
		t.Errorf("non-matching client: %+v", b)
	}
}

func int8sToBytes(v []int8) []byte {
	out := make([]byte, len(v))
	for i, x := range v {
		out[i] = byte(x)
	}
	return out
}

func TestPushRules(t *testing.T) {
	m, clk := newTestManager(t)
	a, err := m.GetSubscriptions([16]byte{}, javaClient)
	wantCode(t, "get", err, nil)
	id, sub := a.ClientInstanceID, a.SubscriptionID
	payload := gaugePayload(t, "org.apache.kafka.consumer.fetch.rate", 1)

	// Too early a second Get is throttled.
	_, err = m.GetSubscriptions(id, javaClient)
	wantCode(t, "early get", err, kerr.ThrottlingQuotaExceeded)
	// The first push right after a Get is accepted early (client jitter).
	wantCode(t, "first push", m.Push(Push{ClientInstanceID: id, SubscriptionID: sub, Metrics: payload}, javaClient), nil)
	wantCode(t, "early push", m.Push(Push{ClientInstanceID: id, SubscriptionID: sub, Metrics: payload}, javaClient), kerr.ThrottlingQuotaExceeded)

	clk.Advance(2 * time.Second)
	wantCode(t, "wrong subscription", m.Push(Push{ClientInstanceID: id, SubscriptionID: sub + 1}, javaClient), kerr.UnknownSubscriptionID)
	clk.Advance(2 * time.Second)
	wantCode(t, "bad codec", m.Push(Push{ClientInstanceID: id, SubscriptionID: sub, Compression: 9}, javaClient), kerr.UnsupportedCompressionType)
	clk.Advance(2 * time.Second)
	wantCode(t, "too large", m.Push(Push{ClientInstanceID: id, SubscriptionID: sub, Metrics: make([]byte, 4097)}, javaClient), kerr.TelemetryTooLarge)
	clk.Advance(2 * time.Second)
	wantCode(t, "garbage", m.Push(Push{ClientInstanceID: id, SubscriptionID: sub, Metrics: []byte{0xff, 0xff, 0xff}}, javaClient), kerr.InvalidRecord)
	clk.Advance(2 * time.Second)
	wantCode(t, "zero id", m.Push(Push{SubscriptionID: sub}, javaClient), kerr.InvalidRequest)

	// A terminating push is accepted even early; nothing after it is.
	wantCode(t, "push", m.Push(Push{ClientInstanceID: id, SubscriptionID: sub, Compression: 4, Metrics: zstdBytes(t, payload)}, javaClient), nil)
	wantCode(t, "terminating", m.Push(Push{ClientInstanceID: id, SubscriptionID: sub, Terminating: true}, javaClient), nil)
	clk.Advance(2 * time.Second)
	wantCode(t, "after terminating", m.Push(Push{ClientInstanceID: id, SubscriptionID: sub}, javaClient), kerr.InvalidRequest)
}

func TestSubscriptionChangeGivesNewID(t *testing.T) {
	m, clk := newTestManager(t)
	a, _ := m.GetSubscriptions([16]byte{}, javaClient)
	m.SetSubscriptions(map[string]map[string]string{"all": {KeyMetrics: "*", KeyInterval: "500"}})
	wantCode(t, "push with the old subscription", m.Push(Push{ClientInstanceID: a.ClientInstanceID, SubscriptionID: a.SubscriptionID}, javaClient), kerr.UnknownSubscriptionID)
	clk.Advance(time.Second)
	b, err := m.GetSubscriptions(a.ClientInstanceID, javaClient)
	wantCode(t, "get after change", err, nil)
	if b.SubscriptionID == a.SubscriptionID || b.PushIntervalMs != 500 || len(b.RequestedMetrics) != 1 || b.RequestedMetrics[0] != "*" {
		t.Errorf("after change: %+v (before %+v)", b, a)
	}
	// Setting the same subscriptions again is no change.
	m.SetSubscriptions(map[string]map[string]string{"all": {KeyMetrics: "*", KeyInterval: "500"}})
	wantCode(t, "push", m.Push(Push{ClientInstanceID: b.ClientInstanceID, SubscriptionID: b.SubscriptionID}, javaClient), nil)
}

func gaugePayload(t *testing.T, name string, v float64) []byte {
	t.Helper()
	md := &metricspb.MetricsData{ResourceMetrics: []*metricspb.ResourceMetrics{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{strAttr("client_rack", "r1")}},
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{{
			Name: name,
			Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: []*metricspb.NumberDataPoint{
				{Attributes: []*commonpb.KeyValue{strAttr("node.id", "1")}, Value: &metricspb.NumberDataPoint_AsDouble{AsDouble: v}},
			}}},
		}}}},
	}}}
	b, err := proto.Marshal(md)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func strAttr(k, v string) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
}

func zstdBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	return enc.EncodeAll(b, nil)
}
