package console

import (
	"context"
	"fmt"
	"net/http"
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

type brokerView struct {
	ID     int32  `json:"id"`
	Host   string `json:"host"`
	Port   int32  `json:"port"`
	Rack   string `json:"rack,omitempty"`
	Fenced bool   `json:"fenced"`
}

type replicaStateView struct {
	ID             int32 `json:"id"`
	LogEndOffset   int64 `json:"logEndOffset"`
	LastFetchMs    int64 `json:"lastFetchMs"`
	LastCaughtUpMs int64 `json:"lastCaughtUpMs"`
}

type quorumView struct {
	// Served is false when the broker does not answer DescribeQuorum; Note
	// then says why and only the controller id is known.
	Served        bool               `json:"served"`
	Note          string             `json:"note,omitempty"`
	LeaderID      int32              `json:"leaderId"`
	LeaderEpoch   int32              `json:"leaderEpoch"`
	HighWatermark int64              `json:"highWatermark"`
	Voters        []replicaStateView `json:"voters"`
	Observers     []replicaStateView `json:"observers"`
}

type healthView struct {
	// Status is "healthy", "degraded" (serving, with partitions in trouble)
	// or "unavailable" (the node is not ready).
	Status   string   `json:"status"`
	Problems []string `json:"problems"`
}

type clusterView struct {
	ClusterID    string       `json:"clusterId"`
	ControllerID int32        `json:"controllerId"`
	Brokers      []brokerView `json:"brokers"`
	Quorum       quorumView   `json:"quorum"`
	Health       healthView   `json:"health"`
	Topics       int          `json:"topics"`
	Partitions   int          `json:"partitions"`
	Offline      int          `json:"offlinePartitions"`
	UnderRepl    int          `json:"underReplicatedPartitions"`
	Groups       int          `json:"groups"`
	// RecordsPerSec and BytesPerSec are the latest sampled rates over all
	// topics (null before the second sample).
	RecordsPerSec *float64 `json:"recordsPerSec"`
	BytesPerSec   *float64 `json:"bytesPerSec"`
}

func (c *Console) getCluster(r *http.Request) (any, error) {
	ctx, cancel := c.requestContext(r)
	defer cancel()
	req := kmsg.NewPtrDescribeClusterRequest()
	resp, err := req.RequestWith(ctx, c.cl)
	if err != nil {
		return nil, fmt.Errorf("describe cluster: %w", err)
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return nil, kafkaError(err, deref(resp.ErrorMessage), "")
	}
	v := clusterView{ClusterID: resp.ClusterID, ControllerID: resp.ControllerID, Brokers: []brokerView{}}
	for _, b := range resp.Brokers {
		v.Brokers = append(v.Brokers, brokerView{ID: b.NodeID, Host: b.Host, Port: b.Port, Rack: deref(b.Rack), Fenced: b.IsFenced})
	}
	sort.Slice(v.Brokers, func(i, j int) bool { return v.Brokers[i].ID < v.Brokers[j].ID })
	v.Quorum = c.describeQuorum(ctx, resp.ControllerID)

	md, err := c.adm.Metadata(ctx)
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	for _, t := range md.Topics {
		v.Topics++
		for _, p := range t.Partitions {
			v.Partitions++
			if p.Leader < 0 {
				v.Offline++
			} else if len(p.ISR) < len(p.Replicas) {
				v.UnderRepl++
			}
		}
	}
	if groups, err := c.listGroupSummaries(ctx); err == nil {
		v.Groups = len(groups)
	}
	v.Health = c.health(v)
	v.RecordsPerSec, v.BytesPerSec = c.sampler.clusterRate()
	return v, nil
}

// health combines the node's own readiness checks with what a client sees
// of the partitions.
func (c *Console) health(v clusterView) healthView {
	h := healthView{Status: "healthy", Problems: []string{}}
	if c.opts.Health != nil {
		if p := c.opts.Health(); len(p) > 0 {
			h.Status = "unavailable"
			h.Problems = append(h.Problems, p...)
		}
	}
	degrade := func(msg string) {
		if h.Status == "healthy" {
			h.Status = "degraded"
		}
		h.Problems = append(h.Problems, msg)
	}
	if v.Offline > 0 {
		degrade(fmt.Sprintf("%d partitions have no leader", v.Offline))
	}
	if v.UnderRepl > 0 {
		degrade(fmt.Sprintf("%d partitions are under-replicated", v.UnderRepl))
	}
	for _, b := range v.Brokers {
		if b.Fenced {
			degrade(fmt.Sprintf("broker %d is fenced", b.ID))
		}
	}
	if v.ControllerID < 0 {
		degrade("no active controller")
	}
	return h
}

// describeQuorum asks for the metadata quorum's state; a broker that does
// not serve DescribeQuorum still tells the active controller through
// DescribeCluster.
func (c *Console) describeQuorum(ctx context.Context, controller int32) quorumView {
	q := quorumView{LeaderID: controller, LeaderEpoch: -1, HighWatermark: -1, Voters: []replicaStateView{}, Observers: []replicaStateView{}}
	req := kmsg.NewPtrDescribeQuorumRequest()
	t := kmsg.NewDescribeQuorumRequestTopic()
	t.Topic = "__cluster_metadata"
	p := kmsg.NewDescribeQuorumRequestTopicPartition()
	t.Partitions = append(t.Partitions, p)
	req.Topics = append(req.Topics, t)
	resp, err := req.RequestWith(ctx, c.cl)
	if err != nil {
		q.Note = "DescribeQuorum is not served by this broker; the active controller is known from DescribeCluster"
		return q
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		q.Note = "DescribeQuorum: " + err.Error()
		return q
	}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				q.Note = "DescribeQuorum: " + err.Error()
				return q
			}
			q.Served = true
			q.LeaderID, q.LeaderEpoch, q.HighWatermark = p.LeaderID, p.LeaderEpoch, p.HighWatermark
			for _, r := range p.CurrentVoters {
				q.Voters = append(q.Voters, replicaStateView{r.ReplicaID, r.LogEndOffset, r.LastFetchTimestamp, r.LastCaughtUpTimestamp})
			}
			for _, r := range p.Observers {
				q.Observers = append(q.Observers, replicaStateView{r.ReplicaID, r.LogEndOffset, r.LastFetchTimestamp, r.LastCaughtUpTimestamp})
			}
		}
	}
	return q
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
