package api

import (
	"sort"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// apiVersion is one served API: the versions accepted, and the minimum
// advertised in ApiVersions (which can be lower than accepted: Kafka keeps
// advertising Produce v0 because of a librdkafka bug, KAFKA-18659, while
// rejecting it).
type apiVersion struct {
	Key      int16
	Min, Max int16
	// AdvertiseFromV0 reports versions from 0 although Min is higher.
	AdvertiseFromV0 bool
	// Note is shown in docs/compatibility.md.
	Note string
}

// served is the table of APIs this broker answers on client listeners. Max
// versions are the newest kmsg encodes; minimums follow Kafka 4 (KIP-896
// removed the older versions).
var served = []apiVersion{
	{Key: 0, Min: 3, Max: 13, AdvertiseFromV0: true, Note: "acks 0/1/all; idempotent producers; v0-2 removed by KIP-896 (advertised from 0 like Kafka, KAFKA-18659); transactional produce not yet"},
	{Key: 1, Min: 4, Max: 18, Note: "long poll, size limits, incremental fetch sessions (KIP-227), topic ids; read_committed reads up to the high watermark (no transactions yet)"},
	{Key: 2, Min: 1, Max: 11, Note: "earliest, latest, by timestamp, max timestamp, earliest-local"},
	{Key: 3, Min: 0, Max: 13, Note: "auto.create.topics.enable, topic ids"},
	{Key: 8, Min: 2, Max: 9, Note: "classic groups and simple (generation -1) commits; v10 (topic ids) not yet"},
	{Key: 9, Min: 1, Max: 9, Note: "several groups from v8, require_stable; v10 (topic ids) not yet"},
	{Key: 10, Min: 0, Max: 6, Note: "groups: the leader of the group's __consumer_offsets partition (created on first use); transactions get INVALID_REQUEST and share groups COORDINATOR_NOT_AVAILABLE, with a message"},
	{Key: 11, Min: 2, Max: 9, Note: "member id required (KIP-394), static members (KIP-345), group.initial.rebalance.delay.ms"},
	{Key: 12, Min: 0, Max: 4},
	{Key: 13, Min: 0, Max: 5, Note: "batch leave by member id or group.instance.id"},
	{Key: 14, Min: 0, Max: 5},
	{Key: 15, Min: 0, Max: 6, Note: "classic groups; no authorized operations"},
	{Key: 16, Min: 0, Max: 5, Note: "state and type filters"},
	{Key: 18, Min: 0, Max: 4, Note: "v0 fallback with UNSUPPORTED_VERSION for a too-new request (KIP-511)"},
	{Key: 19, Min: 2, Max: 7, Note: "validate-only, configs, manual assignments"},
	{Key: 20, Min: 1, Max: 6, Note: "by name and by topic id"},
	{Key: 21, Min: 0, Max: 2, Note: "moves the log start offset"},
	{Key: 22, Min: 0, Max: 5, Note: "idempotent producers; a transactional.id is refused with a clear error"},
	{Key: 32, Min: 1, Max: 4, Note: "topics, brokers, groups and client metrics; synonyms, sources, documentation"},
	{Key: 33, Min: 0, Max: 2, Note: "topics and brokers"},
	{Key: 35, Min: 1, Max: 5, Note: "sizes per partition, total and usable bytes"},
	{Key: 37, Min: 0, Max: 3, Note: "validate-only, manual assignments"},
	{Key: 42, Min: 0, Max: 2},
	{Key: 44, Min: 0, Max: 1, Note: "topics, brokers, groups and client metrics; SET, DELETE, APPEND, SUBTRACT"},
	{Key: 47, Min: 0, Max: 0, Note: "refuses offsets of topics the group still subscribes to"},
	{Key: 55, Min: 0, Max: 2, Note: "the metadata quorum from this node's raft state (Kafka forwards to the active controller)"},
	{Key: 60, Min: 0, Max: 2},
	{Key: 68, Min: 0, Max: 1, Note: "KIP-848 consumer groups: uniform and range server assignors, regex subscriptions, static members, classic members inside consumer groups, online upgrade/downgrade (`group.consumer.migration.policy`)"},
	{Key: 69, Min: 0, Max: 1, Note: "authorized operations reported as for a super user (no ACLs yet)"},
	{Key: 71, Min: 0, Max: 0, Note: "KIP-714 client telemetry: subscriptions from CLIENT_METRICS config resources; always advertised (the broker is its own metrics receiver)"},
	{Key: 72, Min: 0, Max: 0, Note: "OTLP payloads (none, gzip, snappy, lz4, zstd) exposed on /metrics; telemetry.max.bytes"},
	{Key: 74, Min: 0, Max: 1, Note: "client metrics subscriptions (v0); v1 also topics, brokers, broker loggers and groups with configs"},
	{Key: 75, Min: 0, Max: 0, Note: "cursor paging"},
}

var servedByKey = func() map[int16]apiVersion {
	m := make(map[int16]apiVersion, len(served))
	for _, v := range served {
		if req := kmsg.RequestForKey(v.Key); req == nil || req.MaxVersion() < v.Max {
			panic("api: served table names a version kmsg cannot encode")
		}
		m[v.Key] = v
	}
	return m
}()

// ServedAPIs returns the table sorted by key, for ApiVersions and the docs.
func ServedAPIs() []apiVersion {
	out := append([]apiVersion(nil), served...)
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// advertisedMin is the minimum version ApiVersions reports.
func (v apiVersion) advertisedMin() int16 {
	if v.AdvertiseFromV0 {
		return 0
	}
	return v.Min
}

// APIName is Kafka's name for an API key.
func APIName(key int16) string { return kmsg.NameForKey(key) }
