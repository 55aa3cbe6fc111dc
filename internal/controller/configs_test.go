package controller

import (
	"errors"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
)

func incr(typ kmsg.ConfigResourceType, name string, ops ...any) kmsg.IncrementalAlterConfigsRequestResource {
	r := kmsg.NewIncrementalAlterConfigsRequestResource()
	r.ResourceType, r.ResourceName = typ, name
	for i := 0; i+2 < len(ops)+1; i += 3 {
		c := kmsg.NewIncrementalAlterConfigsRequestResourceConfig()
		c.Name, c.Op = ops[i].(string), ops[i+1].(kmsg.IncrementalAlterConfigOp)
		if v, ok := ops[i+2].(string); ok {
			c.Value = kmsg.StringPtr(v)
		}
		r.Configs = append(r.Configs, c)
	}
	return r
}

func TestIncrementalAlterConfigs(t *testing.T) {
	n := newNode(t, t.TempDir(), func(c *Config) {
		c.ValidateTopicConfig = validateRetention
		c.ValidateBrokerConfig = func(name, value string, perBroker bool) error {
			if name == "broker.id" {
				return errors.New("cannot update read-only config broker.id")
			}
			if name == "per.only" && !perBroker {
				return errors.New("per.only may only be set per broker")
			}
			return nil
		}
		c.IsListConfig = func(_ int8, name string) bool { return name == "cleanup.policy" || name == "list" }
		c.ConfigDefault = func(_ int8, name string) (string, bool) {
			if name == "cleanup.policy" {
				return "delete", true
			}
			return "", false
		}
	})
	n.register(1, "")
	n.mustCreate("t", 1, 1)
	set, del, app, sub := kmsg.IncrementalAlterConfigOpSet, kmsg.IncrementalAlterConfigOpDelete, kmsg.IncrementalAlterConfigOpAppend, kmsg.IncrementalAlterConfigOpSubtract
	topicT, broker := kmsg.ConfigResourceTypeTopic, kmsg.ConfigResourceTypeBroker
	for _, tc := range []struct {
		name string
		res  kmsg.IncrementalAlterConfigsRequestResource
		code *kerr.Error
		res2 metadata.ConfigResource
		want map[string]string
	}{
		{"set", incr(topicT, "t", "retention.ms", set, "10"), nil, metadata.ConfigResource{Type: 2, Name: "t"}, map[string]string{"retention.ms": "10"}},
		{"append from default", incr(topicT, "t", "cleanup.policy", app, "compact"), nil, metadata.ConfigResource{Type: 2, Name: "t"}, map[string]string{"retention.ms": "10", "cleanup.policy": "delete,compact"}},
		{"subtract", incr(topicT, "t", "cleanup.policy", sub, "delete"), nil, metadata.ConfigResource{Type: 2, Name: "t"}, map[string]string{"retention.ms": "10", "cleanup.policy": "compact"}},
		{"delete", incr(topicT, "t", "retention.ms", del, nil), nil, metadata.ConfigResource{Type: 2, Name: "t"}, map[string]string{"cleanup.policy": "compact"}},
		{"append non-list", incr(topicT, "t", "retention.ms", app, "1"), kerr.InvalidConfig, metadata.ConfigResource{Type: 2, Name: "t"}, map[string]string{"cleanup.policy": "compact"}},
		{"bad value", incr(topicT, "t", "retention.ms", set, "xyz"), kerr.InvalidConfig, metadata.ConfigResource{Type: 2, Name: "t"}, map[string]string{"cleanup.policy": "compact"}},
		{"unknown topic", incr(topicT, "nope", "retention.ms", set, "1"), kerr.UnknownTopicOrPartition, metadata.ConfigResource{Type: 2, Name: "nope"}, nil},
		{"dup keys", incr(topicT, "t", "retention.ms", set, "1", "retention.ms", set, "2"), kerr.InvalidRequest, metadata.ConfigResource{Type: 2, Name: "t"}, map[string]string{"cleanup.policy": "compact"}},
		{"null set", incr(topicT, "t", "retention.ms", set, nil), kerr.InvalidRequest, metadata.ConfigResource{Type: 2, Name: "t"}, map[string]string{"cleanup.policy": "compact"}},
		{"cluster default", incr(broker, "", "log.retention.ms", set, "5"), nil, metadata.ConfigResource{Type: 4, Name: ""}, map[string]string{"log.retention.ms": "5"}},
		{"per broker", incr(broker, "1", "per.only", set, "5"), nil, metadata.ConfigResource{Type: 4, Name: "1"}, map[string]string{"per.only": "5"}},
		{"per-broker-only at cluster", incr(broker, "", "per.only", set, "5"), kerr.InvalidConfig, metadata.ConfigResource{Type: 4, Name: ""}, map[string]string{"log.retention.ms": "5"}},
		{"read only", incr(broker, "1", "broker.id", set, "5"), kerr.InvalidConfig, metadata.ConfigResource{Type: 4, Name: "1"}, map[string]string{"per.only": "5"}},
		{"bad broker name", incr(broker, "x", "a", set, "5"), kerr.InvalidRequest, metadata.ConfigResource{Type: 4, Name: "x"}, nil},
		{"unsupported type", incr(kmsg.ConfigResourceTypeBrokerLogger, "1", "a", set, "5"), kerr.InvalidRequest, metadata.ConfigResource{Type: 8, Name: "1"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, validateOnly := range []bool{true, false} {
				req := kmsg.NewPtrIncrementalAlterConfigsRequest()
				req.Version, req.ValidateOnly, req.Resources = 1, validateOnly, []kmsg.IncrementalAlterConfigsRequestResource{tc.res}
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
			}
			got := n.loader.Image().Configs[tc.res2]
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

func TestAlterConfigsReplaces(t *testing.T) {
	n := newNode(t, t.TempDir(), func(c *Config) { c.ValidateTopicConfig = validateRetention })
	n.register(1, "")
	resp, _ := n.ctrl.CreateTopics(ctx, createReq(7, false, topic("t", 1, 1, "retention.ms", "1", "segment.ms", "2")))
	if resp.Topics[0].ErrorCode != 0 {
		t.Fatal(resp.Topics[0])
	}
	req := kmsg.NewPtrAlterConfigsRequest()
	r := kmsg.NewAlterConfigsRequestResource()
	r.ResourceType, r.ResourceName = kmsg.ConfigResourceTypeTopic, "t"
	c := kmsg.NewAlterConfigsRequestResourceConfig()
	c.Name, c.Value = "retention.ms", kmsg.StringPtr("9")
	r.Configs = append(r.Configs, c)
	req.Resources = append(req.Resources, r)
	ar, err := n.ctrl.AlterConfigs(ctx, req)
	if err != nil || ar.Resources[0].ErrorCode != 0 {
		t.Fatal(err, ar)
	}
	if got := n.loader.Image().TopicConfig("t"); len(got) != 1 || got["retention.ms"] != "9" {
		t.Fatalf("configs %v", got)
	}
	c.Value = kmsg.StringPtr("xx")
	req.Resources[0].Configs[0] = c
	ar, _ = n.ctrl.AlterConfigs(ctx, req)
	if ar.Resources[0].ErrorCode != kerr.InvalidConfig.Code {
		t.Fatal(ar.Resources[0])
	}
	// Deleting the topic removes its configs.
	dr := kmsg.NewPtrDeleteTopicsRequest()
	dr.Version, dr.TopicNames = 4, []string{"t"}
	if _, err := n.ctrl.DeleteTopics(ctx, dr); err != nil {
		t.Fatal(err)
	}
	if got := n.loader.Image().TopicConfig("t"); got != nil {
		t.Fatalf("configs survive delete: %v", got)
	}
}
