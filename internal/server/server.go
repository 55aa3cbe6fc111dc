// Package server assembles a node from its parts and owns their start and
// stop order. A combined node (process.roles=broker,controller) runs the
// metadata quorum, the controller and the broker in one process; the broker
// learns everything, including its own topics, from the metadata log.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/odradek/odradek/internal/api"
	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/config"
	"github.com/odradek/odradek/internal/console"
	"github.com/odradek/odradek/internal/controller"
	"github.com/odradek/odradek/internal/coordinator/group"
	"github.com/odradek/odradek/internal/coordinator/group/assignor"
	"github.com/odradek/odradek/internal/coordinator/group/consumer"
	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/metaprops"
	"github.com/odradek/odradek/internal/metrics"
	"github.com/odradek/odradek/internal/network"
	"github.com/odradek/odradek/internal/raft"
	"github.com/odradek/odradek/internal/replication"
	"github.com/odradek/odradek/internal/storage"
)

// Options say how to start a node.
type Options struct {
	Config *config.Config
	// DevMode formats unformatted log dirs on first start (odradek server
	// run without --config).
	DevMode bool
	Logger  *slog.Logger
	Clock   clock.Clock
}

// Server is a running node.
type Server struct {
	opts      Options
	cfg       *config.Config
	log       *slog.Logger
	clusterID string

	logs      *storage.Manager
	node      *raft.Node
	loader    *metadata.Loader
	ctrl      *controller.Controller
	replicas  *replication.Manager
	groups    *group.Coordinator
	lifecycle *controller.BrokerLifecycle
	net       *network.Server
	router    *listenerRouter
	// metadataDirID is the directory id of metadata.log.dir.
	metadataDirID [16]byte
	http          *httpListener
	console       *console.Console
	metrics       *metrics.Registry
}

// Start brings a node up; on error everything started so far is stopped.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	cfg := opts.Config
	if !cfg.IsBroker() || !cfg.IsController() {
		return nil, errors.New("only process.roles=broker,controller is supported so far; separate broker and controller nodes come with multi-node clusters")
	}
	s := &Server{opts: opts, cfg: cfg, log: opts.Logger}
	s.metrics = s.newMetrics()
	for _, step := range []func(context.Context) error{s.prepareStorage, s.startQuorum, s.startBroker, s.startHTTP} {
		if err := step(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	s.log.Info("Odradek started", "node.id", cfg.NodeID, "cluster.id", s.clusterID, "listeners", s.listenerSummary(), "http", s.HTTPAddr())
	return s, nil
}

func (s *Server) prepareStorage(context.Context) error {
	cfg := s.cfg
	if s.opts.DevMode {
		formatted, id, err := metaprops.EnsureFormattedDev(cfg)
		if err != nil {
			return fmt.Errorf("formatting log dirs: %w", err)
		}
		if formatted {
			s.log.Info("formatted storage for a new single-node cluster", "log.dirs", cfg.LogDirs, "metadata.log.dir", cfg.MetadataLogDir, "cluster.id", id)
		}
	}
	ens, err := metaprops.Verify(cfg)
	if err != nil {
		return err
	}
	s.clusterID = ens.ClusterID
	s.metadataDirID = metadataDirID(ens, cfg.MetadataLogDir)
	logs, err := storage.NewManager(storage.ManagerConfig{
		Dirs:                               cfg.LogDirs,
		Clock:                              s.opts.Clock,
		Logger:                             s.log.With("component", "storage"),
		DefaultLogConfig:                   logConfigFromMap(config.EffectiveTopicConfig(cfg, nil, nil, nil)),
		RetentionCheckInterval:             cfg.LogRetentionCheckInterval,
		FlushCheckInterval:                 cfg.LogFlushSchedulerInterval,
		FlushOffsetCheckpointInterval:      cfg.LogFlushOffsetCheckpointInterval,
		FlushStartOffsetCheckpointInterval: cfg.LogFlushStartOffsetCheckpointInterval,
		HighWatermarkCheckpointInterval:    cfg.ReplicaHighWatermarkCheckpointInterval,
		ProducerIDExpiration:               cfg.ProducerIDExpiration,
		ProducerIDExpirationCheckInterval:  cfg.ProducerIDExpirationCheckInterval,
		CleanerBackoff:                     cfg.LogCleanerBackoff,
		CleanerDedupeBufferSize:            cfg.LogCleanerDedupeBufferSize,
		CleanerThreads:                     int(cfg.LogCleanerThreads),
		DisableCleaner:                     !cfg.LogCleanerEnable,
	})
	if err != nil {
		return fmt.Errorf("opening log dirs: %w", err)
	}
	s.logs = logs
	return nil
}

func (s *Server) startQuorum(ctx context.Context) error {
	cfg := s.cfg
	voters, err := raft.ResolveVoters(cfg.Str("controller.quorum.voters"), cfg.MetadataLogDir)
	if err != nil {
		return err
	}
	node, err := raft.Open(raft.Config{
		NodeID:         cfg.NodeID,
		MetadataLogDir: cfg.MetadataLogDir,
		ClusterID:      s.clusterID,
		Voters:         voters,
		Clock:          s.opts.Clock,
		Logger:         s.log.With("component", "raft"),
		SegmentBytes:   int64(cfg.MetadataLogSegmentBytes),
		SnapshotBytes:  cfg.MetadataMaxRecordBytesBetweenSnapshots,
		Observer:       s.metrics.Quorum(),
	})
	if err != nil {
		return fmt.Errorf("opening metadata log: %w", err)
	}
	s.node = node
	s.loader = metadata.NewLoader(s.clusterID, node, s.log)
	node.AddListener(s.loader)
	node.SetSnapshotter(s.loader)
	s.ctrl = controller.New(controller.Config{
		NodeID:                   cfg.NodeID,
		ClusterID:                s.clusterID,
		Clock:                    s.opts.Clock,
		Logger:                   s.log,
		NumPartitions:            cfg.NumPartitions,
		DefaultReplicationFactor: cfg.DefaultReplicationFactor,
		BrokerSessionTimeout:     cfg.BrokerSessionTimeout,
		BrokerHeartbeatInterval:  cfg.BrokerHeartbeatInterval,
		DeleteTopicDisable:       !cfg.DeleteTopicEnable,
		ValidateTopicConfig:      config.ValidateTopicConfig,
		ValidateBrokerConfig:     config.ValidateBrokerConfig,
		ValidateGroupConfigValue: config.ValidateGroupConfigValue,
		ValidateGroupConfig: func(clusterDyn, overrides map[string]string) error {
			return config.ValidateGroupConfig(cfg, clusterDyn, nil, overrides)
		},
		IsListConfig:  isListConfig,
		ConfigDefault: func(rt int8, name string) (string, bool) { return configBaseline(cfg, rt, name) },
		TopicResponseConfigs: func(topic string, overrides map[string]string) []controller.ConfigEntry {
			return topicResponseConfigs(s, overrides)
		},
		BootstrapFeatures: bootstrapFeatures,
	}, node, s.loader)
	node.Start()
	s.ctrl.Start()
	readyCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := s.ctrl.WaitReady(readyCtx); err != nil {
		return fmt.Errorf("waiting for the metadata quorum to elect this controller: %w", err)
	}
	return nil
}

func (s *Server) startBroker(ctx context.Context) error {
	cfg := s.cfg
	s.replicas = replication.NewManager(replication.Config{
		NodeID: cfg.NodeID,
		Logs:   s.logs,
		LogConfig: func(img *metadata.Image, topic string) storage.LogConfig {
			return logConfigFor(cfg, cfg.NodeID, img, topic)
		},
		Logger: s.log.With("component", "replication"),
	})
	s.loader.AddPublisher(s.replicas)
	// A bad assignor name would otherwise surface only at a group's first
	// heartbeat; refuse it at startup, naming the key.
	for _, name := range cfg.List("group.consumer.assignors") {
		if _, err := assignor.New(name); err != nil {
			return fmt.Errorf("invalid group.consumer.assignors: %w", err)
		}
	}
	// After the replication manager: the coordinator loads partitions the
	// replication manager has just opened.
	s.groups = group.New(group.Options{
		Config: group.Config{
			InitialRebalanceDelay:  cfg.GroupInitialRebalanceDelay,
			MinSessionTimeout:      cfg.GroupMinSessionTimeout,
			MaxSessionTimeout:      cfg.GroupMaxSessionTimeout,
			MaxSize:                int(cfg.GroupMaxSize),
			OffsetsRetention:       cfg.OffsetsRetention,
			RetentionCheckInterval: cfg.OffsetsRetentionCheckInterval,
			GroupTimings:           s.groupTimings,
			// offset.metadata.max.bytes is not configurable yet;
			// this is Kafka's default.
			MaxMetadataSize: 4096,
			Consumer: consumer.Config{
				SessionTimeout:     cfg.Millis("group.consumer.session.timeout.ms"),
				HeartbeatInterval:  cfg.Millis("group.consumer.heartbeat.interval.ms"),
				AssignmentInterval: cfg.Millis("group.consumer.assignment.interval.ms"),
				MaxSize:            int(cfg.Int("group.consumer.max.size")),
				Assignors:          cfg.List("group.consumer.assignors"),
				MigrationPolicy:    consumer.PolicyOf(cfg.Str("group.consumer.migration.policy")),
				ClassicMaxSize:     int(cfg.GroupMaxSize),
			},
		},
		NodeID:         cfg.NodeID,
		NumPartitions:  cfg.OffsetsTopicNumPartitions,
		Replicas:       s.replicas,
		LoadBufferSize: cfg.OffsetsLoadBufferSize,
		Clock:          s.opts.Clock,
		Logger:         s.log.With("component", "group-coordinator"),
	})
	s.loader.AddPublisher(s.groups)

	// Bind before registering so the advertised ports are real ones (a
	// configured port 0 becomes the port the OS chose).
	var listeners []network.Listener
	for _, l := range cfg.Listeners {
		listeners = append(listeners, network.Listener{Name: l.Name, Addr: l.Addr()})
	}
	var brokerAPI *api.Broker
	handler := &listenerRouter{controllerListeners: cfg.ControllerListenerNames}
	s.router = handler
	s.net = network.New(network.Config{
		Listeners:             listeners,
		SocketRequestMaxBytes: cfg.SocketRequestMaxBytes,
		ConnectionsMaxIdle:    cfg.ConnectionsMaxIdle,
		Logger:                s.log.With("component", "network"),
		Observer:              s.metrics.Requests(),
		ReuseFrames:           api.FrameReusableAPIs,
	}, handler)
	if err := s.net.Start(); err != nil {
		return err
	}

	lc, err := controller.NewBrokerLifecycle(controller.LifecycleConfig{
		NodeID:            cfg.NodeID,
		ClusterID:         s.clusterID,
		Listeners:         s.advertisedEndpoints(),
		Rack:              rackOf(cfg),
		Features:          supportedFeatures,
		Clock:             s.opts.Clock,
		Logger:            s.log,
		HeartbeatInterval: cfg.BrokerHeartbeatInterval,
		MetadataOffset:    func() int64 { return s.loader.Image().Offset },
		Client:            s.ctrl,
		// Saved in the clean-shutdown marker, so a cleanly restarted
		// broker re-registers at once (KIP-966).
		PreviousBrokerEpoch: s.logs.PreviousBrokerEpoch(),
	})
	if err != nil {
		return err
	}
	s.lifecycle = lc
	brokerAPI = api.New(api.Config{
		NodeID:              cfg.NodeID,
		Static:              cfg,
		Loader:              s.loader,
		Controller:          s.ctrl,
		Replicas:            s.replicas,
		Logs:                s.logs,
		Clock:               s.opts.Clock,
		Logger:              s.log.With("component", "api"),
		BrokerEpoch:         lc.Epoch,
		ControllerID:        s.controllerID,
		Groups:              s.groups,
		Quorum:              s.describeQuorum,
		ControllerListeners: cfg.ControllerListenerNames,
		ControllerEndpoints: func() []api.QuorumNode {
			return []api.QuorumNode{{ID: cfg.NodeID, Listeners: s.controllerEndpoints()}}
		},
		Telemetry:    s.newTelemetry(),
		TopicMetrics: s.metrics.Topics(),
	})
	handler.broker = brokerAPI
	lc.Start()
	readyCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := lc.WaitUnfenced(readyCtx); err != nil {
		return fmt.Errorf("waiting for the controller to unfence this broker: %w", err)
	}
	s.logs.SetBrokerEpoch(lc.Epoch())
	s.logs.Start()
	handler.ready.Store(true)
	return nil
}

func (s *Server) controllerID() int32 {
	leader, _ := s.node.Leader()
	return leader
}

// advertisedEndpoints are the broker's advertised listeners with bound
// ports substituted for port 0.
func (s *Server) advertisedEndpoints() []metadata.Endpoint {
	var out []metadata.Endpoint
	for _, l := range s.cfg.AdvertisedBrokerListeners() {
		port := l.Port
		if port == 0 {
			if a, ok := s.net.Addr(l.Name).(*net.TCPAddr); ok {
				port = a.Port
			}
		}
		out = append(out, metadata.Endpoint{
			Name: l.Name, Host: l.Host, Port: int32(port),
			SecurityProtocol: securityProtocolID(s.cfg.SecurityProtocol(l.Name)),
		})
	}
	return out
}

// Addr returns the bound address of a listener (for tests using port 0).
func (s *Server) Addr(listener string) string {
	if a := s.net.Addr(listener); a != nil {
		return a.String()
	}
	return ""
}

// ClusterID is the id from meta.properties.
func (s *Server) ClusterID() string { return s.clusterID }

func (s *Server) listenerSummary() []string {
	var out []string
	for _, l := range s.cfg.Listeners {
		out = append(out, l.Name+"://"+s.Addr(l.Name))
	}
	return out
}

// Close stops the node in reverse order of start: no new requests, a
// controlled shutdown of the broker, then the controller and quorum, and
// last the logs, which flush and write their checkpoints.
func (s *Server) Close() error {
	var errs []error
	if s.router != nil {
		s.router.ready.Store(false)
	}
	s.closeHTTP()
	if s.net != nil {
		s.net.Close()
	}
	if s.groups != nil {
		s.groups.Close()
	}
	if s.lifecycle != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := s.lifecycle.Shutdown(ctx); err != nil {
			s.log.Warn("controlled shutdown did not complete", "err", err)
		}
		cancel()
		s.lifecycle.Close()
	}
	if s.ctrl != nil {
		s.ctrl.Close()
	}
	if s.node != nil {
		if err := s.node.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing metadata log: %w", err))
		}
	}
	if s.loader != nil {
		s.loader.Close()
	}
	if s.logs != nil {
		if err := s.logs.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing logs: %w", err))
		}
	}
	return errors.Join(errs...)
}

func rackOf(cfg *config.Config) *string {
	if cfg.BrokerRack == "" {
		return nil
	}
	r := cfg.BrokerRack
	return &r
}

func securityProtocolID(name string) int16 {
	switch name {
	case "PLAINTEXT":
		return 0
	case "SSL":
		return 1
	case "SASL_PLAINTEXT":
		return 2
	case "SASL_SSL":
		return 3
	}
	return -1
}
