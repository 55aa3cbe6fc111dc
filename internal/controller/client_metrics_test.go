package controller

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
)

func TestClientMetricsSubscriptions(t *testing.T) {
	// IsListConfig refuses everything: client metrics must not depend on it.
	n := newNode(t, t.TempDir(), func(c *Config) { c.IsListConfig = func(int8, string) bool { return false } })
	n.register(1, "")
	set, del, app, sub := kmsg.IncrementalAlterConfigOpSet, kmsg.IncrementalAlterConfigOpDelete, kmsg.IncrementalAlterConfigOpAppend, kmsg.IncrementalAlterConfigOpSubtract
	cm := kmsg.ConfigResourceTypeClientMetrics
	res := metadata.ConfigResource{Type: 16, Name: "s"}
	for _, tc := range []struct {
		name string
		res  kmsg.IncrementalAlterConfigsRequestResource
		code *kerr.Error
		want map[string]string
	}{
		{"create", incr(cm, "s", "metrics", set, "org.apache.kafka.producer.", "interval.ms", set, "1000"), nil,
			map[string]string{"metrics": "org.apache.kafka.producer.", "interval.ms": "1000"}},
		{"append a prefix", incr(cm, "s", "metrics", app, "org.apache.kafka.consumer."), nil,
			map[string]string{"metrics": "org.apache.kafka.producer.,org.apache.kafka.consumer.", "interval.ms": "1000"}},
		{"subtract a prefix", incr(cm, "s", "metrics", sub, "org.apache.kafka.producer."), nil,
			map[string]string{"metrics": "org.apache.kafka.consumer.", "interval.ms": "1000"}},
		{"match", incr(cm, "s", "match", set, "client_id=app-.*"), nil,
			map[string]string{"metrics": "org.apache.kafka.consumer.", "interval.ms": "1000", "match": "client_id=app-.*"}},
		{"append to a non-list", incr(cm, "s", "interval.ms", app, "5"), kerr.InvalidConfig,
			map[string]string{"metrics": "org.apache.kafka.consumer.", "interval.ms": "1000", "match": "client_id=app-.*"}},
		{"unknown key", incr(cm, "s", "metric", set, "x"), kerr.InvalidRequest,
			map[string]string{"metrics": "org.apache.kafka.consumer.", "interval.ms": "1000", "match": "client_id=app-.*"}},
		{"interval too small", incr(cm, "s", "interval.ms", set, "99"), kerr.InvalidRequest,
			map[string]string{"metrics": "org.apache.kafka.consumer.", "interval.ms": "1000", "match": "client_id=app-.*"}},
		{"bad match", incr(cm, "s", "match", set, "rack=a"), kerr.InvalidConfig,
			map[string]string{"metrics": "org.apache.kafka.consumer.", "interval.ms": "1000", "match": "client_id=app-.*"}},
		{"delete all", incr(cm, "s", "metrics", del, nil, "interval.ms", del, nil, "match", del, nil), nil, nil},
		{"empty name", incr(cm, "", "metrics", set, "*"), kerr.InvalidRequest, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := kmsg.NewPtrIncrementalAlterConfigsRequest()
			req.Version, req.Resources = 1, []kmsg.IncrementalAlterConfigsRequestResource{tc.res}
			resp, err := n.ctrl.IncrementalAlterConfigs(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			code := int16(0)
			if tc.code != nil {
				code = tc.code.Code
			}
			if resp.Resources[0].ErrorCode != code {
				t.Fatalf("code %d (%v), want %d", resp.Resources[0].ErrorCode, resp.Resources[0].ErrorMessage, code)
			}
			got := n.loader.Image().Configs[res]
			if len(got) != len(tc.want) {
				t.Fatalf("configs %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Fatalf("configs %v, want %v", got, tc.want)
				}
			}
		})
	}
}
