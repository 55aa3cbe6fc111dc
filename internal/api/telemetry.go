package api

// Client telemetry (KIP-714): GetTelemetrySubscriptions v0 and PushTelemetry
// v0, served by internal/telemetry with Kafka 4.3's rules; pushed metrics
// appear on the HTTP listener's /metrics. Subscriptions are CLIENT_METRICS
// config resources: DescribeConfigs reports their keys (source
// CLIENT_METRICS_CONFIG), IncrementalAlterConfigs/AlterConfigs change them
// through the controller, and ListConfigResources v0-1 lists them (v1 also
// lists topics, brokers, broker loggers and groups with configs).
// Differs from Kafka: the telemetry APIs are always advertised (Kafka needs
// a receiver plugin; here the broker is its own receiver), and a client
// instance is forgotten only when it stops sending requests, since the
// network layer reports no disconnects.

import (
	"errors"
	"maps"
	"slices"
	"strconv"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/network"
	"github.com/odradek/odradek/internal/telemetry"
)

// telemetryAPIs are served only with a telemetry manager.
var telemetryAPIs = map[int16]bool{71: true, 72: true}

func telemetryClient(rc *network.RequestContext) telemetry.Client {
	return telemetry.Client{ConnID: rc.ConnID, ClientID: rc.Header.ClientID, Addr: rc.ClientAddr}
}

// noteClientSoftware remembers the software a connection announced, which
// subscriptions can match on.
func (b *Broker) noteClientSoftware(rc *network.RequestContext, req *kmsg.ApiVersionsRequest) {
	if b.cfg.Telemetry != nil && req.Version >= 3 {
		b.cfg.Telemetry.NoteSoftware(rc.ConnID, req.ClientSoftwareName, req.ClientSoftwareVersion)
	}
}

// syncSubscriptions hands the manager the image's CLIENT_METRICS resources
// when the image changed since the last telemetry request.
func (b *Broker) syncSubscriptions(img *metadata.Image) {
	if b.telemetryImage.Swap(img) == img {
		return
	}
	subs := map[string]map[string]string{}
	for res, cfg := range img.Configs {
		if res.Type == telemetry.ResourceType {
			subs[res.Name] = cfg
		}
	}
	b.cfg.Telemetry.SetSubscriptions(subs)
}

func telemetryErr(err error) (int16, bool) {
	var te *telemetry.Error
	if errors.As(err, &te) {
		return te.Code.Code, true
	}
	return kerr.UnknownServerError.Code, false
}

func (b *Broker) handleGetTelemetrySubscriptions(rc *network.RequestContext, req *kmsg.GetTelemetrySubscriptionsRequest) *kmsg.GetTelemetrySubscriptionsResponse {
	resp := req.ResponseKind().(*kmsg.GetTelemetrySubscriptionsResponse)
	b.syncSubscriptions(b.image())
	a, err := b.cfg.Telemetry.GetSubscriptions(req.ClientInstanceID, telemetryClient(rc))
	if err != nil {
		resp.ErrorCode, _ = telemetryErr(err)
		b.log.Debug("GetTelemetrySubscriptions refused", "err", err)
		return resp
	}
	resp.ClientInstanceID = a.ClientInstanceID
	resp.SubscriptionID = a.SubscriptionID
	resp.AcceptedCompressionTypes = a.AcceptedCompression
	resp.PushIntervalMillis = a.PushIntervalMs
	resp.TelemetryMaxBytes = a.MaxBytes
	resp.DeltaTemporality = a.DeltaTemporality
	resp.RequestedMetrics = a.RequestedMetrics
	return resp
}

func (b *Broker) handlePushTelemetry(rc *network.RequestContext, req *kmsg.PushTelemetryRequest) *kmsg.PushTelemetryResponse {
	resp := req.ResponseKind().(*kmsg.PushTelemetryResponse)
	b.syncSubscriptions(b.image())
	err := b.cfg.Telemetry.Push(telemetry.Push{
		ClientInstanceID: req.ClientInstanceID,
		SubscriptionID:   req.SubscriptionID,
		Terminating:      req.Terminating,
		Compression:      req.CompressionType,
		Metrics:          req.Metrics,
	}, telemetryClient(rc))
	if err != nil {
		resp.ErrorCode, _ = telemetryErr(err)
		b.log.Debug("PushTelemetry refused", "err", err)
	}
	return resp
}

// describeClientMetrics answers DescribeConfigs for one subscription: the
// keys it sets, as Kafka (an unknown subscription has none).
func describeClientMetrics(img *metadata.Image, name string, res *kmsg.DescribeConfigsResponseResource) {
	if name == "" {
		res.ErrorCode = kerr.InvalidRequest.Code
		res.ErrorMessage = kmsg.StringPtr("Client metrics subscription name must not be empty")
		return
	}
	cfg := img.Configs[metadata.ConfigResource{Type: telemetry.ResourceType, Name: name}]
	for _, k := range slices.Sorted(maps.Keys(cfg)) {
		c := kmsg.NewDescribeConfigsResponseResourceConfig()
		c.Name, c.Value = k, kmsg.StringPtr(cfg[k])
		c.Source = kmsg.ConfigSourceClientMetricsConfig
		if telemetry.IsListConfig(k) {
			c.ConfigType = kmsg.ConfigTypeList
		} else {
			c.ConfigType = kmsg.ConfigTypeInt
		}
		res.Configs = append(res.Configs, c)
	}
}

// listableConfigTypes are what ListConfigResources v1 lists when asked for
// no type in particular.
var listableConfigTypes = []int8{metadata.ResourceTopic, metadata.ResourceBroker, 8, telemetry.ResourceType, metadata.ResourceGroup}

func (b *Broker) handleListConfigResources(req *kmsg.ListConfigResourcesRequest) *kmsg.ListConfigResourcesResponse {
	resp := req.ResponseKind().(*kmsg.ListConfigResourcesResponse)
	img := b.image()
	types := req.ResourceTypes
	switch {
	case req.Version == 0:
		types = []int8{telemetry.ResourceType}
	case len(types) == 0:
		types = listableConfigTypes
	}
	for _, t := range types {
		if !slices.Contains(listableConfigTypes, t) {
			resp.ErrorCode = kerr.UnsupportedVersion.Code
			resp.ConfigResources = nil
			return resp
		}
		var names []string
		switch t {
		case metadata.ResourceTopic:
			names = img.TopicNames()
		case metadata.ResourceBroker, 8:
			for _, id := range img.BrokerIDs() {
				names = append(names, strconv.Itoa(int(id)))
			}
		default:
			for res := range img.Configs {
				if res.Type == t {
					names = append(names, res.Name)
				}
			}
			slices.Sort(names)
		}
		for _, n := range names {
			r := kmsg.NewListConfigResourcesResponseConfigResource()
			r.Name, r.Type = n, t
			resp.ConfigResources = append(resp.ConfigResources, r)
		}
	}
	return resp
}
