// Package api turns decoded Kafka requests into domain calls and responses.
// One file per API or API family; each file's header says which versions are
// served and where we differ from Kafka.
package api

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/config"
	"github.com/odradek/odradek/internal/coordinator/group"
	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/network"
	"github.com/odradek/odradek/internal/replication"
	"github.com/odradek/odradek/internal/storage"
	"github.com/odradek/odradek/internal/telemetry"
)

// Controller is what the broker asks of the quorum controller. In a combined
// node it is the local controller; a broker-only node forwards over the
// network. Responses are released only after their records commit.
type Controller interface {
	CreateTopics(ctx context.Context, req *kmsg.CreateTopicsRequest) (*kmsg.CreateTopicsResponse, error)
	DeleteTopics(ctx context.Context, req *kmsg.DeleteTopicsRequest) (*kmsg.DeleteTopicsResponse, error)
	CreatePartitions(ctx context.Context, req *kmsg.CreatePartitionsRequest) (*kmsg.CreatePartitionsResponse, error)
	IncrementalAlterConfigs(ctx context.Context, req *kmsg.IncrementalAlterConfigsRequest) (*kmsg.IncrementalAlterConfigsResponse, error)
	AlterConfigs(ctx context.Context, req *kmsg.AlterConfigsRequest) (*kmsg.AlterConfigsResponse, error)
	AllocateProducerIDs(ctx context.Context, brokerID int32, brokerEpoch int64) (first int64, count int32, err error)
}

// Config wires the handlers to the broker's parts.
type Config struct {
	NodeID     int32
	Static     *config.Config
	Loader     *metadata.Loader
	Controller Controller
	Replicas   *replication.Manager
	Logs       *storage.Manager
	Clock      clock.Clock
	Logger     *slog.Logger
	// BrokerEpoch is the epoch of this broker's registration.
	BrokerEpoch func() int64
	// ControllerID reports the active controller, -1 if unknown.
	ControllerID func() int32
	// Groups is the group coordinator; nil leaves group APIs unserved.
	Groups *group.Coordinator
	// ControllerListeners name the listeners that are controller
	// endpoints; ControllerEndpoints lists the controllers and their
	// listeners (DescribeCluster for the controller endpoint type).
	ControllerListeners []string
	ControllerEndpoints func() []QuorumNode
	// Quorum describes the metadata quorum for DescribeQuorum; nil leaves
	// the API unserved.
	Quorum func(ctx context.Context) (QuorumDescription, error)
	// Telemetry receives KIP-714 client metrics; nil leaves
	// GetTelemetrySubscriptions and PushTelemetry unserved.
	Telemetry *telemetry.Manager
	// TopicMetrics, if set, counts bytes and records in and out per topic.
	TopicMetrics TopicMetrics
}

// Broker serves the Kafka APIs of one broker.
type Broker struct {
	cfg       Config
	log       *slog.Logger
	sessions  *fetchSessions
	pids      *producerIDs
	topicCfgs topicConfigs
	// offsetsTopicMu makes concurrent first FindCoordinators create
	// __consumer_offsets once.
	offsetsTopicMu sync.Mutex
	// telemetryImage is the image whose subscriptions Telemetry has.
	telemetryImage atomic.Pointer[metadata.Image]
}

// New builds the API layer.
func New(cfg Config) *Broker {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	slots := int(cfg.Static.Int("max.incremental.fetch.session.cache.slots"))
	return &Broker{
		cfg:      cfg,
		log:      cfg.Logger,
		sessions: newFetchSessions(slots, cfg.Clock),
		pids:     &producerIDs{},
	}
}

var _ network.Handler = (*Broker)(nil)

// Versions implements network.Handler.
func (b *Broker) Versions(listener string, key int16) (int16, int16, bool) {
	v, ok := servedByKey[key]
	if ok && groupAPIs[key] && b.cfg.Groups == nil {
		return 0, 0, false
	}
	if ok && telemetryAPIs[key] && b.cfg.Telemetry == nil {
		return 0, 0, false
	}
	if ok && key == 55 && b.cfg.Quorum == nil {
		return 0, 0, false
	}
	return v.Min, v.Max, ok
}

// Unsupported answers a known API at a version outside the served range.
// ApiVersions gets the full list (the network layer sends it as v0); APIs
// whose old versions KIP-896 removed get UNSUPPORTED_VERSION; anything else
// closes the connection, as a Kafka 4 broker does.
func (b *Broker) Unsupported(rc *network.RequestContext, req kmsg.Request) kmsg.Response {
	if _, ok := req.(*kmsg.ApiVersionsRequest); ok {
		return b.apiVersionsResponse()
	}
	if _, served := servedByKey[req.Key()]; !served {
		return nil
	}
	return removedVersionResponse(req)
}

// FrameReusableAPIs are the APIs whose handling keeps no reference into
// the request's bytes after Handle returns, so the connection may reuse
// them (network.Config.ReuseFrames). kmsg decodes byte fields as slices of
// the request; Produce's records are patched in place, written to the
// segment file and let go (storage.Log.Append keeps headers, never
// bytes). An API joins this list only after the same audit.
var FrameReusableAPIs = map[int16]bool{0: true}

// groupAPIs are served only with a group coordinator.
var groupAPIs = map[int16]bool{8: true, 9: true, 11: true, 12: true, 13: true, 14: true, 15: true, 16: true, 42: true, 47: true, 68: true, 69: true}

func (b *Broker) image() *metadata.Image { return b.cfg.Loader.Image() }

// Handle implements network.Handler.
func (b *Broker) Handle(ctx context.Context, rc *network.RequestContext, req kmsg.Request) (kmsg.Response, error) {
	if groupAPIs[req.Key()] && b.cfg.Groups == nil {
		return nil, fmt.Errorf("api: %s needs a group coordinator, and none is configured", kmsg.NameForKey(req.Key()))
	}
	switch r := req.(type) {
	case *kmsg.ApiVersionsRequest:
		b.noteClientSoftware(rc, r)
		return b.handleApiVersions(r), nil
	case *kmsg.MetadataRequest:
		return b.handleMetadata(ctx, rc, r), nil
	case *kmsg.ProduceRequest:
		return b.handleProduce(ctx, r), nil
	case *kmsg.FetchRequest:
		return b.handleFetch(ctx, r), nil
	case *kmsg.ListOffsetsRequest:
		return b.handleListOffsets(r), nil
	case *kmsg.CreateTopicsRequest:
		return b.handleCreateTopics(ctx, r), nil
	case *kmsg.DeleteTopicsRequest:
		return b.handleDeleteTopics(ctx, r), nil
	case *kmsg.CreatePartitionsRequest:
		return b.handleCreatePartitions(ctx, r), nil
	case *kmsg.DescribeConfigsRequest:
		return b.handleDescribeConfigs(r), nil
	case *kmsg.AlterConfigsRequest:
		return b.handleAlterConfigs(ctx, r), nil
	case *kmsg.IncrementalAlterConfigsRequest:
		return b.handleIncrementalAlterConfigs(ctx, r), nil
	case *kmsg.DescribeClusterRequest:
		return b.handleDescribeCluster(rc, r), nil
	case *kmsg.DescribeTopicPartitionsRequest:
		return b.handleDescribeTopicPartitions(rc, r), nil
	case *kmsg.DeleteRecordsRequest:
		return b.handleDeleteRecords(ctx, r), nil
	case *kmsg.DescribeLogDirsRequest:
		return b.handleDescribeLogDirs(r), nil
	case *kmsg.FindCoordinatorRequest:
		return b.handleFindCoordinator(ctx, rc, r), nil
	case *kmsg.JoinGroupRequest:
		return b.handleJoinGroup(ctx, rc, r), nil
	case *kmsg.SyncGroupRequest:
		return b.handleSyncGroup(ctx, r), nil
	case *kmsg.HeartbeatRequest:
		return b.handleHeartbeat(ctx, r), nil
	case *kmsg.LeaveGroupRequest:
		return b.handleLeaveGroup(ctx, r), nil
	case *kmsg.ListGroupsRequest:
		return b.handleListGroups(r), nil
	case *kmsg.DescribeGroupsRequest:
		return b.handleDescribeGroups(r), nil
	case *kmsg.DeleteGroupsRequest:
		return b.handleDeleteGroups(ctx, r), nil
	case *kmsg.ConsumerGroupHeartbeatRequest:
		return b.handleConsumerGroupHeartbeat(ctx, rc, r), nil
	case *kmsg.ConsumerGroupDescribeRequest:
		return b.handleConsumerGroupDescribe(r), nil
	case *kmsg.OffsetCommitRequest:
		return b.handleOffsetCommit(ctx, r), nil
	case *kmsg.OffsetFetchRequest:
		return b.handleOffsetFetch(ctx, r), nil
	case *kmsg.OffsetDeleteRequest:
		return b.handleOffsetDelete(ctx, r), nil
	case *kmsg.InitProducerIDRequest:
		return b.handleInitProducerID(ctx, r), nil
	case *kmsg.ListConfigResourcesRequest:
		return b.handleListConfigResources(r), nil
	case *kmsg.DescribeQuorumRequest:
		if b.cfg.Quorum == nil {
			return nil, fmt.Errorf("api: DescribeQuorum needs the metadata quorum, and none is configured")
		}
		return b.handleDescribeQuorum(ctx, r), nil
	}
	if telemetryAPIs[req.Key()] && b.cfg.Telemetry == nil {
		return nil, fmt.Errorf("api: %s needs client telemetry, and it is not configured", kmsg.NameForKey(req.Key()))
	}
	switch r := req.(type) {
	case *kmsg.GetTelemetrySubscriptionsRequest:
		return b.handleGetTelemetrySubscriptions(rc, r), nil
	case *kmsg.PushTelemetryRequest:
		return b.handlePushTelemetry(rc, r), nil
	}
	return nil, fmt.Errorf("api: no handler for %s", kmsg.NameForKey(req.Key()))
}
