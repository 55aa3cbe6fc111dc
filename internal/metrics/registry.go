// Package metrics is the broker's Prometheus registry: request, traffic and
// quorum events counted as they happen, and everything else (partitions,
// logs, the controller's view, consumer lag) read from current state at
// scrape time. Names follow what existing dashboards query: Kafka's MBeans
// as the Prometheus JMX exporter renders them with Strimzi's rules
// (kafka_server_*, kafka_controller_*, kafka_log_*, kafka_network_*), and
// kafka_exporter's names for offsets and consumer lag; our own additions
// are under odradek_. docs/monitoring.md lists every metric.
package metrics

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/coordinator/group"
	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/raft"
	"github.com/odradek/odradek/internal/replication"
)

// Options configure a Registry.
type Options struct {
	NodeID int32
	Clock  clock.Clock
	// LagWindow is how far back consume and produce rates look for the
	// catch-up estimate (default 5 minutes).
	LagWindow time.Duration
	// RuntimeCollectors adds the Go runtime and process collectors
	// (go_*, process_*); benchmarks leave them out.
	RuntimeCollectors bool
}

// Sources are the parts whose state is read at scrape time. Any may be
// nil; its metrics are then absent.
type Sources struct {
	// Image is the current metadata image.
	Image func() *metadata.Image
	// MetadataError is the failure that stopped metadata replay, if any.
	MetadataError func() error
	Replicas      *replication.Manager
	Quorum        Quorum
	Controller    Controller
	Groups        Groups
	// MinISR is a topic's effective min.insync.replicas.
	MinISR func(img *metadata.Image, topic string) int
	// Connections are the open connections per listener
	// (network.Server.ConnectionCounts).
	Connections func() map[string]int
}

// Quorum is the metadata quorum (*raft.Node).
type Quorum interface {
	Metrics(ctx context.Context) (raft.QuorumMetrics, error)
}

// Controller is the quorum controller (*controller.Controller).
type Controller interface {
	IsActive() bool
}

// Groups is the group coordinator (*group.Coordinator).
type Groups interface {
	VisitGroups(fn func(group.GroupView))
	PartitionCounts() (loading, active int)
}

// Registry holds every metric of one node. It is its own
// prometheus.Registry, never the global one, so several nodes in one test
// process do not collide.
type Registry struct {
	opts     Options
	reg      *prometheus.Registry
	requests *RequestMetrics
	topics   *TopicMetrics
	quorum   *QuorumLatencies
	// direct sources build their families without the registry
	// (direct.go); set once by Attach, before the first scrape.
	direct []directSource
}

// New builds a registry with the event-driven metrics; Attach adds the
// collectors that read state.
func New(opts Options) *Registry {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.LagWindow <= 0 {
		opts.LagWindow = 5 * time.Minute
	}
	r := &Registry{opts: opts, reg: prometheus.NewRegistry()}
	if opts.RuntimeCollectors {
		r.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	r.requests = newRequestMetrics()
	r.topics = newTopicMetrics()
	r.quorum = newQuorumLatencies()
	r.reg.MustRegister(r.requests, r.topics, r.quorum)
	return r
}

// Requests is the observer to give network.Config.
func (r *Registry) Requests() *RequestMetrics { return r.requests }

// Topics counts per-topic traffic; give it to api.Config.
func (r *Registry) Topics() *TopicMetrics { return r.topics }

// Quorum receives commit and election latencies; give it to raft.Config.
func (r *Registry) Quorum() *QuorumLatencies { return r.quorum }

// Attach registers the scrape-time collectors over src. Call it once.
func (r *Registry) Attach(src Sources) error {
	if src.Image != nil {
		r.topics.setExists(func(topic string) bool { return src.Image().Topic(topic) != nil })
	}
	r.direct = append(r.direct, newPartitionCollector(r.opts.NodeID, src), newGroupCollector(r.opts.Clock, r.opts.LagWindow, src))
	cs := []prometheus.Collector{newClusterCollector(src)}
	if src.Quorum != nil {
		cs = append(cs, newQuorumCollector(src.Quorum))
	}
	if src.Connections != nil {
		cs = append(cs, connectionCollector{counts: src.Connections})
	}
	for _, c := range cs {
		if err := r.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Register adds a collector of another part (client telemetry, say) to
// the node's registry, so its series share /metrics.
func (r *Registry) Register(c prometheus.Collector) error { return r.reg.Register(c) }

// Gatherer gathers every family of the node: the registry's and the
// directly built ones.
func (r *Registry) Gatherer() prometheus.Gatherer {
	return prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		fams, err := r.reg.Gather()
		return gatherAll(fams, r.direct), err
	})
}

// Handler serves the registry in the Prometheus text format (OpenMetrics
// when the scraper asks for it).
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.Gatherer(), promhttp.HandlerOpts{EnableOpenMetrics: true, Registry: r.reg})
}
