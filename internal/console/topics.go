package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

type topicSummary struct {
	Name              string   `json:"name"`
	Internal          bool     `json:"internal"`
	Partitions        int      `json:"partitions"`
	ReplicationFactor int      `json:"replicationFactor"`
	SizeBytes         int64    `json:"sizeBytes"`
	Records           int64    `json:"records"`
	RetentionMs       string   `json:"retentionMs"`
	RetentionBytes    string   `json:"retentionBytes"`
	CleanupPolicy     string   `json:"cleanupPolicy"`
	RecordsPerSec     *float64 `json:"recordsPerSec"`
	BytesPerSec       *float64 `json:"bytesPerSec"`
}

// listTopics answers the topics page: one row per topic. Size is summed
// over every replica's log (DescribeLogDirs); Records is end minus start
// offset summed over partitions, which overcounts compacted topics and
// transaction markers, as any client-side count does.
func (c *Console) listTopics(r *http.Request) (any, error) {
	ctx, cancel := c.requestContext(r)
	defer cancel()
	md, err := c.adm.Metadata(ctx)
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	names := md.Topics.Names()
	out := make([]topicSummary, 0, len(names))
	if len(names) == 0 {
		return map[string]any{"topics": out}, nil
	}
	sizes, err := c.topicSizes(ctx, nil)
	if err != nil {
		return nil, err
	}
	starts, ends, err := c.startEndOffsets(ctx, names...)
	if err != nil {
		return nil, err
	}
	configs, err := c.adm.DescribeTopicConfigs(ctx, names...)
	if err != nil {
		return nil, fmt.Errorf("describe topic configs: %w", err)
	}
	byName := map[string]kadm.ResourceConfig{}
	for _, rc := range configs {
		byName[rc.Name] = rc
	}
	for _, name := range names {
		t := md.Topics[name]
		s := topicSummary{Name: name, Internal: t.IsInternal, Partitions: len(t.Partitions)}
		for _, p := range t.Partitions {
			s.ReplicationFactor = max(s.ReplicationFactor, len(p.Replicas))
			if e, ok := ends.Lookup(name, p.Partition); ok && e.Err == nil {
				if st, ok := starts.Lookup(name, p.Partition); ok && st.Err == nil {
					s.Records += e.Offset - st.Offset
				}
			}
		}
		for _, sz := range sizes[name] {
			s.SizeBytes += sz
		}
		rc := byName[name]
		s.RetentionMs = configValue(rc, "retention.ms")
		s.RetentionBytes = configValue(rc, "retention.bytes")
		s.CleanupPolicy = configValue(rc, "cleanup.policy")
		s.RecordsPerSec, s.BytesPerSec = c.sampler.topicRate(name)
		out = append(out, s)
	}
	return map[string]any{"topics": out}, nil
}

func configValue(rc kadm.ResourceConfig, key string) string {
	for _, cfg := range rc.Configs {
		if cfg.Key == key {
			return cfg.MaybeValue()
		}
	}
	return ""
}

// topicSizes sums DescribeLogDirs sizes per topic and partition over all
// replicas; nil topics means every topic.
func (c *Console) topicSizes(ctx context.Context, topics kadm.TopicsSet) (map[string]map[int32]int64, error) {
	dirs, err := c.adm.DescribeAllLogDirs(ctx, topics)
	if err != nil {
		return nil, fmt.Errorf("describe log dirs: %w", err)
	}
	out := map[string]map[int32]int64{}
	dirs.Each(func(d kadm.DescribedLogDir) {
		for t, ps := range d.Topics {
			if out[t] == nil {
				out[t] = map[int32]int64{}
			}
			for p, dp := range ps {
				out[t][p] += dp.Size
			}
		}
	})
	return out, nil
}

func (c *Console) startEndOffsets(ctx context.Context, topics ...string) (starts, ends kadm.ListedOffsets, err error) {
	if starts, err = c.adm.ListStartOffsets(ctx, topics...); err != nil {
		return nil, nil, fmt.Errorf("list start offsets: %w", err)
	}
	if ends, err = c.adm.ListEndOffsets(ctx, topics...); err != nil {
		return nil, nil, fmt.Errorf("list end offsets: %w", err)
	}
	return starts, ends, nil
}

type createTopicRequest struct {
	Name string `json:"name"`
	// Partitions and ReplicationFactor default to the broker's
	// num.partitions and default.replication.factor when absent.
	Partitions        *int32            `json:"partitions"`
	ReplicationFactor *int16            `json:"replicationFactor"`
	Configs           map[string]string `json:"configs"`
}

func (c *Console) createTopic(r *http.Request) (any, error) {
	var req createTopicRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	partitions, rf := int32(-1), int16(-1)
	if req.Partitions != nil {
		partitions = *req.Partitions
	}
	if req.ReplicationFactor != nil {
		rf = *req.ReplicationFactor
	}
	configs := map[string]*string{}
	for k, v := range req.Configs {
		if k == "" {
			return nil, badField("configs", "a config name is empty")
		}
		configs[k] = kadm.StringPtr(v)
	}
	ctx, cancel := c.requestContext(r)
	defer cancel()
	resp, err := c.adm.CreateTopic(ctx, partitions, rf, configs, req.Name)
	if err != nil {
		return nil, kafkaError(err, resp.ErrMessage, createTopicField(err))
	}
	return created{map[string]any{
		"name":              resp.Topic,
		"partitions":        resp.NumPartitions,
		"replicationFactor": resp.ReplicationFactor,
	}}, nil
}

// createTopicField names the form field a CreateTopics error is about.
func createTopicField(err error) string {
	switch {
	case errors.Is(err, kerr.InvalidTopicException), errors.Is(err, kerr.TopicAlreadyExists):
		return "name"
	case errors.Is(err, kerr.InvalidPartitions):
		return "partitions"
	case errors.Is(err, kerr.InvalidReplicationFactor):
		return "replicationFactor"
	case errors.Is(err, kerr.InvalidConfig):
		return "configs"
	}
	return ""
}

func (c *Console) deleteTopic(r *http.Request) (any, error) {
	name := r.PathValue("topic")
	ctx, cancel := c.requestContext(r)
	defer cancel()
	resp, err := c.adm.DeleteTopic(ctx, name)
	if err != nil {
		return nil, kafkaError(err, resp.ErrMessage, "")
	}
	return map[string]any{"deleted": name}, nil
}

// sortedPartitions lists a topic's partitions in order.
func sortedPartitions(t kadm.TopicDetail) []kadm.PartitionDetail {
	out := make([]kadm.PartitionDetail, 0, len(t.Partitions))
	for _, p := range t.Partitions {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Partition < out[j].Partition })
	return out
}
