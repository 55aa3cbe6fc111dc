package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/odradek/odradek/internal/raft"
)

// KRaft quorum metrics: Kafka's raft-metrics group (kafka.server
// type=raft-metrics) as Strimzi's rules render it, attribute names with
// dashes turned into underscores. Kafka reports commit and election latency
// only as avg/max pairs; here they are histograms under odradek_ names.
var (
	raftStateDesc = prometheus.NewDesc("kafka_server_raftmetrics_current_state",
		"Always 1; the label is the quorum state of this node (leader, candidate, prospective, voted, follower, unattached, observer).", []string{"current_state"}, nil)
	raftLeaderDesc = prometheus.NewDesc("kafka_server_raftmetrics_current_leader",
		"Node id of the quorum leader, -1 when unknown.", nil, nil)
	raftEpochDesc = prometheus.NewDesc("kafka_server_raftmetrics_current_epoch",
		"Current quorum epoch.", nil, nil)
	raftVoteDesc = prometheus.NewDesc("kafka_server_raftmetrics_current_vote",
		"Node id this node voted for in the current epoch, -1 for none.", nil, nil)
	raftHWDesc = prometheus.NewDesc("kafka_server_raftmetrics_high_watermark",
		"Metadata log high watermark (exclusive): every offset below it is committed.", nil, nil)
	raftLEODesc = prometheus.NewDesc("kafka_server_raftmetrics_log_end_offset",
		"Metadata log end offset on this node (exclusive).", nil, nil)
	raftLEEDesc = prometheus.NewDesc("kafka_server_raftmetrics_log_end_epoch",
		"Epoch of the last entry of this node's metadata log.", nil, nil)
	raftVotersDesc = prometheus.NewDesc("kafka_server_raftmetrics_number_of_voters",
		"Voters in the quorum.", nil, nil)
	raftObserversDesc = prometheus.NewDesc("kafka_server_raftmetrics_number_of_observers",
		"Observers (non-voting replicas) the quorum knows.", nil, nil)
	raftScrapeErrDesc = prometheus.NewDesc("odradek_raft_metrics_unavailable",
		"1 when the quorum did not answer the scrape in time (the raft metrics are then absent).", nil, nil)
)

// latencyBuckets span 100µs to ~25s.
var latencyBuckets = prometheus.ExponentialBuckets(0.0001, 2, 18)

// QuorumLatencies implements raft.Observer with two histograms.
type QuorumLatencies struct {
	commit   prometheus.Histogram
	election prometheus.Histogram
}

var _ raft.Observer = (*QuorumLatencies)(nil)

func newQuorumLatencies() *QuorumLatencies {
	return &QuorumLatencies{
		commit: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "odradek_raft_commit_latency_seconds",
			Help: "Time from a metadata proposal being queued on the leader to its commit (Kafka reports commit-latency-avg/max).", Buckets: latencyBuckets}),
		election: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "odradek_raft_election_latency_seconds",
			Help: "Time from this node starting an election to a leader being known (Kafka reports election-latency-avg/max).", Buckets: latencyBuckets}),
	}
}

// CommitLatency implements raft.Observer.
func (q *QuorumLatencies) CommitLatency(d time.Duration) { q.commit.Observe(d.Seconds()) }

// ElectionLatency implements raft.Observer.
func (q *QuorumLatencies) ElectionLatency(d time.Duration) { q.election.Observe(d.Seconds()) }

// Describe implements prometheus.Collector.
func (q *QuorumLatencies) Describe(ch chan<- *prometheus.Desc) {
	q.commit.Describe(ch)
	q.election.Describe(ch)
}

// Collect implements prometheus.Collector.
func (q *QuorumLatencies) Collect(ch chan<- prometheus.Metric) {
	q.commit.Collect(ch)
	q.election.Collect(ch)
}

// quorumCollector reads the quorum state from the raft node at scrape time.
type quorumCollector struct {
	q Quorum
}

func newQuorumCollector(q Quorum) *quorumCollector { return &quorumCollector{q: q} }

func (c *quorumCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{raftStateDesc, raftLeaderDesc, raftEpochDesc, raftVoteDesc, raftHWDesc, raftLEODesc, raftLEEDesc, raftVotersDesc, raftObserversDesc, raftScrapeErrDesc} {
		ch <- d
	}
}

// quorumTimeout bounds how long a scrape waits for the raft goroutine (a
// stuck fsync must not hang the scrape).
const quorumTimeout = 2 * time.Second

func (c *quorumCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), quorumTimeout)
	defer cancel()
	m, err := c.q.Metrics(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(raftScrapeErrDesc, prometheus.GaugeValue, 1)
		return
	}
	ch <- prometheus.MustNewConstMetric(raftScrapeErrDesc, prometheus.GaugeValue, 0)
	// Like Strimzi's rule: one series, value 1, for the state the node is
	// in, so count() and label matches behave as on Kafka.
	ch <- prometheus.MustNewConstMetric(raftStateDesc, prometheus.GaugeValue, 1, m.State)
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
	gauge(raftLeaderDesc, float64(m.LeaderID))
	gauge(raftEpochDesc, float64(m.Epoch))
	gauge(raftVoteDesc, float64(m.VotedID))
	gauge(raftHWDesc, float64(m.HighWatermark))
	gauge(raftLEODesc, float64(m.LogEndOffset))
	gauge(raftLEEDesc, float64(m.LogEndEpoch))
	gauge(raftVotersDesc, float64(m.Voters))
	gauge(raftObserversDesc, float64(m.Observers))
}
