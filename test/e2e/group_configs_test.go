package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/testserver"
)

func alterGroupConfig(t *testing.T, ctx context.Context, cl *kgo.Client, group string, ops ...kmsg.IncrementalAlterConfigsRequestResourceConfig) (int16, string) {
	t.Helper()
	req := kmsg.NewPtrIncrementalAlterConfigsRequest()
	res := kmsg.NewIncrementalAlterConfigsRequestResource()
	res.ResourceType, res.ResourceName, res.Configs = kmsg.ConfigResourceTypeGroupConfig, group, ops
	req.Resources = append(req.Resources, res)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("IncrementalAlterConfigs: %v", err)
	}
	r := resp.Resources[0]
	msg := ""
	if r.ErrorMessage != nil {
		msg = *r.ErrorMessage
	}
	return r.ErrorCode, msg
}

func setOp(name, value string) kmsg.IncrementalAlterConfigsRequestResourceConfig {
	c := kmsg.NewIncrementalAlterConfigsRequestResourceConfig()
	c.Name, c.Op, c.Value = name, kmsg.IncrementalAlterConfigOpSet, kmsg.StringPtr(value)
	return c
}

func deleteOp(name string) kmsg.IncrementalAlterConfigsRequestResourceConfig {
	c := kmsg.NewIncrementalAlterConfigsRequestResourceConfig()
	c.Name, c.Op = name, kmsg.IncrementalAlterConfigOpDelete
	return c
}

func describeGroupConfig(t *testing.T, ctx context.Context, cl *kgo.Client, group string) map[string]kmsg.DescribeConfigsResponseResourceConfig {
	t.Helper()
	req := kmsg.NewPtrDescribeConfigsRequest()
	req.IncludeSynonyms = true
	res := kmsg.NewDescribeConfigsRequestResource()
	res.ResourceType, res.ResourceName = kmsg.ConfigResourceTypeGroupConfig, group
	req.Resources = append(req.Resources, res)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("DescribeConfigs: %v", err)
	}
	if err := kerr.ErrorForCode(resp.Resources[0].ErrorCode); err != nil {
		t.Fatalf("DescribeConfigs group %s: %v", group, err)
	}
	out := map[string]kmsg.DescribeConfigsResponseResourceConfig{}
	for _, c := range resp.Resources[0].Configs {
		out[c.Name] = c
	}
	return out
}

// Per-group configs (GROUP config resources) are validated against the
// broker's bounds, described with Kafka's sources, and change what a
// consumer-protocol member is told at its next heartbeat.
func TestGroupConfigs(t *testing.T) {
	srv := testserver.Start(t)
	ctx := ctxT(t)
	cl := newClient(t, srv.Bootstrap)
	const group = "cfg-group"

	for _, tc := range []struct {
		ops  []kmsg.IncrementalAlterConfigsRequestResourceConfig
		code int16
		msg  string
	}{
		{[]kmsg.IncrementalAlterConfigsRequestResourceConfig{setOp("foo", "1")}, kerr.InvalidConfig.Code, "Unknown group config name: foo"},
		{[]kmsg.IncrementalAlterConfigsRequestResourceConfig{setOp("consumer.session.timeout.ms", "1000")}, kerr.InvalidConfig.Code,
			"consumer.session.timeout.ms must be greater than or equal to group.consumer.min.session.timeout.ms"},
		{[]kmsg.IncrementalAlterConfigsRequestResourceConfig{setOp("consumer.heartbeat.interval.ms", "x")}, kerr.InvalidConfig.Code,
			"Invalid value x for configuration consumer.heartbeat.interval.ms"},
		{[]kmsg.IncrementalAlterConfigsRequestResourceConfig{setOp("consumer.session.timeout.ms", "50000"), setOp("consumer.heartbeat.interval.ms", "6000")}, 0, ""},
	} {
		code, msg := alterGroupConfig(t, ctx, cl, group, tc.ops...)
		if code != tc.code || !strings.Contains(msg, tc.msg) {
			t.Fatalf("alter %s: got %d %q, want %d %q", tc.ops[0].Name, code, msg, tc.code, tc.msg)
		}
	}

	cfgs := describeGroupConfig(t, ctx, cl, group)
	hb := cfgs["consumer.heartbeat.interval.ms"]
	if hb.Value == nil || *hb.Value != "6000" || hb.Source != kmsg.ConfigSourceGroupConfig || len(hb.ConfigSynonyms) != 2 ||
		hb.ConfigSynonyms[1].Name != "group.consumer.heartbeat.interval.ms" || hb.ConfigSynonyms[1].Source != kmsg.ConfigSourceDefaultConfig {
		t.Fatalf("consumer.heartbeat.interval.ms described as %+v", hb)
	}
	if ai := cfgs["consumer.assignment.interval.ms"]; ai.Value == nil || *ai.Value != "1000" || ai.Source != kmsg.ConfigSourceDefaultConfig {
		t.Fatalf("consumer.assignment.interval.ms described as %+v", ai)
	}

	epoch := int32(0)
	heartbeat := func() *kmsg.ConsumerGroupHeartbeatResponse {
		t.Helper()
		req := kmsg.NewPtrConsumerGroupHeartbeatRequest()
		req.Group, req.MemberID, req.MemberEpoch = group, "member-cfg-test-0000001", epoch
		req.RebalanceTimeoutMillis = 30000
		req.SubscribedTopicNames = []string{"cfg-topic"}
		if epoch == 0 {
			req.Topics = []kmsg.ConsumerGroupHeartbeatRequestTopic{} // empty, not null, when joining
		}
		for {
			resp, err := req.RequestWith(ctx, cl)
			if err != nil {
				t.Fatalf("ConsumerGroupHeartbeat: %v", err)
			}
			if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
				if kerr.IsRetriable(err) && ctx.Err() == nil {
					continue // __consumer_offsets is still being created
				}
				msg := ""
				if resp.ErrorMessage != nil {
					msg = *resp.ErrorMessage
				}
				t.Fatalf("ConsumerGroupHeartbeat: %v (%s)", err, msg)
			}
			epoch = resp.MemberEpoch
			return resp
		}
	}
	if got := heartbeat().HeartbeatIntervalMillis; got != 6000 {
		t.Fatalf("heartbeat interval given to the member = %d, want the group config 6000", got)
	}
	if code, msg := alterGroupConfig(t, ctx, cl, group, deleteOp("consumer.heartbeat.interval.ms")); code != 0 {
		t.Fatalf("delete: %d %s", code, msg)
	}
	if got := heartbeat().HeartbeatIntervalMillis; got != 5000 {
		t.Fatalf("heartbeat interval after deleting the group config = %d, want the broker default 5000", got)
	}
	if v := describeGroupConfig(t, ctx, cl, group)["consumer.heartbeat.interval.ms"]; v.Source != kmsg.ConfigSourceDefaultConfig {
		t.Fatalf("after delete consumer.heartbeat.interval.ms described as %+v", v)
	}
}
