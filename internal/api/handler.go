// Package api turns decoded Kafka requests into domain calls and responses.
// One file per API or API family; each file's header says which versions are
// served and where we differ from Kafka.
package api

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/config"
	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/network"
	"github.com/odradek/odradek/internal/replication"
	"github.com/odradek/odradek/internal/storage"
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
}

// Broker serves the Kafka APIs of one broker.
type Broker struct {
	cfg       Config
	log       *slog.Logger
	sessions  *fetchSessions
	pids      *producerIDs
	topicCfgs topicConfigs
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

func (b *Broker) image() *metadata.Image { return b.cfg.Loader.Image() }

// Handle implements network.Handler.
func (b *Broker) Handle(ctx context.Context, rc *network.RequestContext, req kmsg.Request) (kmsg.Response, error) {
	switch r := req.(type) {
	case *kmsg.ApiVersionsRequest:
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
		return b.handleFindCoordinator(r), nil
	case *kmsg.InitProducerIDRequest:
		return b.handleInitProducerID(ctx, r), nil
	}
	return nil, fmt.Errorf("api: no handler for %s", kmsg.NameForKey(req.Key()))
}
