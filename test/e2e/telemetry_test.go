package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/proto"

	"github.com/odradek/odradek/internal/testserver"
)

// TestClientTelemetryAPIs drives KIP-714 by hand: a subscription made with
// IncrementalAlterConfigs, described and listed, then fetched and pushed to;
// the pushed value appears on /metrics.
func TestClientTelemetryAPIs(t *testing.T) {
	srv := testserver.Start(t)
	cl, err := kgo.NewClient(kgo.SeedBrokers(srv.Bootstrap), kgo.ClientID("telemetry-e2e"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	alter := func(name string, kv ...string) *kmsg.IncrementalAlterConfigsResponseResource {
		t.Helper()
		req := kmsg.NewPtrIncrementalAlterConfigsRequest()
		r := kmsg.NewIncrementalAlterConfigsRequestResource()
		r.ResourceType, r.ResourceName = kmsg.ConfigResourceTypeClientMetrics, name
		for i := 0; i+1 < len(kv); i += 2 {
			c := kmsg.NewIncrementalAlterConfigsRequestResourceConfig()
			c.Name, c.Value, c.Op = kv[i], kmsg.StringPtr(kv[i+1]), kmsg.IncrementalAlterConfigOpSet
			r.Configs = append(r.Configs, c)
		}
		req.Resources = append(req.Resources, r)
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			t.Fatalf("IncrementalAlterConfigs: %v", err)
		}
		return &resp.Resources[0]
	}
	if r := alter("bad", "interval.ms", "5"); r.ErrorCode != kerr.InvalidRequest.Code {
		t.Fatalf("interval.ms=5: code %d (%v), want INVALID_REQUEST", r.ErrorCode, r.ErrorMessage)
	}
	if r := alter("e2e", "metrics", "org.apache.kafka.producer.", "interval.ms", "200", "match", "client_id=telemetry-.*"); r.ErrorCode != 0 {
		t.Fatalf("create subscription: code %d (%v)", r.ErrorCode, r.ErrorMessage)
	}

	desc := kmsg.NewPtrDescribeConfigsRequest()
	dr := kmsg.NewDescribeConfigsRequestResource()
	dr.ResourceType, dr.ResourceName = kmsg.ConfigResourceTypeClientMetrics, "e2e"
	desc.Resources = append(desc.Resources, dr)
	dresp, err := desc.RequestWith(ctx, cl)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range dresp.Resources[0].Configs {
		got[c.Name] = *c.Value
		if c.Source != kmsg.ConfigSourceClientMetricsConfig {
			t.Errorf("%s: source %v, want CLIENT_METRICS_CONFIG", c.Name, c.Source)
		}
	}
	if got["metrics"] != "org.apache.kafka.producer." || got["interval.ms"] != "200" || got["match"] != "client_id=telemetry-.*" {
		t.Errorf("described %v", got)
	}

	list := kmsg.NewPtrListConfigResourcesRequest()
	list.ResourceTypes = []int8{int8(kmsg.ConfigResourceTypeClientMetrics)}
	lresp, err := list.RequestWith(ctx, cl)
	if err != nil {
		t.Fatal(err)
	}
	if len(lresp.ConfigResources) != 1 || lresp.ConfigResources[0].Name != "e2e" {
		t.Errorf("listed %+v, want the one subscription", lresp.ConfigResources)
	}
	list.ResourceTypes = nil // every type
	if lresp, err = list.RequestWith(ctx, cl); err != nil {
		t.Fatal(err)
	}
	types := map[int8][]string{}
	for _, r := range lresp.ConfigResources {
		types[r.Type] = append(types[r.Type], r.Name)
	}
	if len(types[int8(kmsg.ConfigResourceTypeBroker)]) != 1 || len(types[int8(kmsg.ConfigResourceTypeClientMetrics)]) != 1 {
		t.Errorf("ListConfigResources of every type: %v", types)
	}

	get := kmsg.NewPtrGetTelemetrySubscriptionsRequest()
	gresp, err := get.RequestWith(ctx, cl)
	if err != nil {
		t.Fatal(err)
	}
	if gresp.ErrorCode != 0 || gresp.ClientInstanceID == ([16]byte{}) || gresp.PushIntervalMillis != 200 ||
		len(gresp.RequestedMetrics) != 1 || gresp.TelemetryMaxBytes != 1048576 || !gresp.DeltaTemporality {
		t.Fatalf("GetTelemetrySubscriptions: %+v", gresp)
	}

	push := func(sub int32, payload []byte) int16 {
		t.Helper()
		req := kmsg.NewPtrPushTelemetryRequest()
		req.ClientInstanceID, req.SubscriptionID, req.Metrics = gresp.ClientInstanceID, sub, payload
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			t.Fatalf("PushTelemetry: %v", err)
		}
		return resp.ErrorCode
	}
	payload, err := proto.Marshal(&metricspb.MetricsData{ResourceMetrics: []*metricspb.ResourceMetrics{{
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{{
			Name: "org.apache.kafka.producer.record.send.rate",
			Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: []*metricspb.NumberDataPoint{
				{Value: &metricspb.NumberDataPoint_AsDouble{AsDouble: 42}}}}},
		}}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if code := push(gresp.SubscriptionID+1, payload); code != kerr.UnknownSubscriptionID.Code {
		t.Fatalf("push with a wrong subscription id: code %d, want UNKNOWN_SUBSCRIPTION_ID", code)
	}
	// The refused push counted as this interval's push: retry while the
	// broker answers "too early" until the good push is accepted.
	for {
		code := push(gresp.SubscriptionID, payload)
		if code == 0 {
			break
		}
		if code != kerr.ThrottlingQuotaExceeded.Code {
			t.Fatalf("push: code %d", code)
		}
		select {
		case <-ctx.Done():
			t.Fatal("push still throttled at the deadline")
		case <-time.After(50 * time.Millisecond):
		}
	}

	// The pushed value is on /metrics, labelled with the client's identity.
	fams := scrape(t, srv.HTTPAddr())
	v, ok := value(fams, "org_apache_kafka_producer_record_send_rate", map[string]string{"client_id": "telemetry-e2e"})
	if !ok || v != 42 {
		t.Fatalf("pushed gauge on /metrics: %v %v", v, ok)
	}
}
