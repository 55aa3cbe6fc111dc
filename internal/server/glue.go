package server

import (
	"context"
	"slices"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/api"
	"github.com/odradek/odradek/internal/config"
	"github.com/odradek/odradek/internal/controller"
	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/network"
)

// Feature levels this build supports and bootstraps. metadata.version
// follows Kafka's numbering for the record formats Kafka defines; ours are
// versioned separately (docs/format/metadata-records.md).
var (
	supportedFeatures = []metadata.FeatureRange{{Name: "metadata.version", MinVersion: 7, MaxVersion: 27}}
	bootstrapFeatures = map[string]int16{"metadata.version": 27}
)

// listenerRouter sends broker listeners to the API layer and answers only
// ApiVersions, DescribeCluster and DescribeQuorum on controller listeners (the controller's own APIs arrive with
// multi-node quorums). Until the broker is unfenced, connections are closed,
// as a Kafka broker keeps its listeners shut until startup completes.
type listenerRouter struct {
	broker              *api.Broker
	controllerListeners []string
	ready               atomic.Bool
}

var controllerListenerAPIs = map[int16]bool{18: true, 55: true, 60: true}

func (r *listenerRouter) isController(listener string) bool {
	return slices.Contains(r.controllerListeners, listener)
}

func (r *listenerRouter) Versions(listener string, key int16) (int16, int16, bool) {
	if !r.ready.Load() {
		return 0, 0, false
	}
	// Controller listeners answer what an admin client with
	// bootstrap.controllers sends (KIP-919): ApiVersions, DescribeCluster
	// and DescribeQuorum.
	if r.isController(listener) && !controllerListenerAPIs[key] {
		return 0, 0, false
	}
	return r.broker.Versions(listener, key)
}

func (r *listenerRouter) Handle(ctx context.Context, rc *network.RequestContext, req kmsg.Request) (kmsg.Response, error) {
	return r.broker.Handle(ctx, rc, req)
}

func (r *listenerRouter) Unsupported(rc *network.RequestContext, req kmsg.Request) kmsg.Response {
	if !r.ready.Load() {
		return nil
	}
	return r.broker.Unsupported(rc, req)
}

func isListConfig(resourceType int8, name string) bool {
	var d *config.Def
	var ok bool
	if resourceType == metadata.ResourceTopic {
		d, ok = config.LookupTopic(name)
	} else {
		d, ok = config.LookupBroker(name)
	}
	return ok && d.Type == config.TypeList
}

// configBaseline is the value APPEND and SUBTRACT start from when no dynamic
// value is set: the topic's inherited value, or the static broker value.
func configBaseline(static *config.Config, resourceType int8, name string) (string, bool) {
	if resourceType == metadata.ResourceTopic {
		v, ok := config.EffectiveTopicConfig(static, nil, nil, nil)[name]
		return v, ok
	}
	v, _, ok := static.Get(name)
	return v, ok
}

// topicResponseConfigs lists a new topic's configs for CreateTopics v5+.
func topicResponseConfigs(s *Server, overrides map[string]string) []controller.ConfigEntry {
	img := s.loader.Image()
	var out []controller.ConfigEntry
	for _, d := range config.DescribeTopic(s.cfg, img.BrokerConfig(-1), img.BrokerConfig(s.cfg.NodeID), overrides) {
		out = append(out, controller.ConfigEntry{Name: d.Name, Value: d.Value, ReadOnly: d.ReadOnly, Source: int8(d.Source), IsSensitive: d.Sensitive})
	}
	return out
}
