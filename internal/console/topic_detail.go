package console

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

type partitionView struct {
	Partition     int32   `json:"partition"`
	Leader        int32   `json:"leader"`
	LeaderEpoch   int32   `json:"leaderEpoch"`
	Replicas      []int32 `json:"replicas"`
	ISR           []int32 `json:"isr"`
	Offline       []int32 `json:"offlineReplicas"`
	LogStart      int64   `json:"logStartOffset"`
	HighWatermark int64   `json:"highWatermark"`
	// LastStable is the last stable offset (ListOffsets read_committed):
	// below the high watermark while a transaction is open.
	LastStable int64  `json:"lastStableOffset"`
	SizeBytes  int64  `json:"sizeBytes"`
	Error      string `json:"error,omitempty"`
}

type configView struct {
	Name      string `json:"name"`
	Value     string `json:"value"`
	Source    string `json:"source"`
	Sensitive bool   `json:"sensitive"`
	// Default is true when the value is not set on the topic itself.
	Default bool `json:"default"`
}

type topicView struct {
	Name string `json:"name"`
	// ID is printed as Kafka prints topic ids: URL-safe base64, unpadded.
	ID            string          `json:"id"`
	Internal      bool            `json:"internal"`
	Partitions    []partitionView `json:"partitions"`
	Configs       []configView    `json:"configs"`
	RecordsPerSec *float64        `json:"recordsPerSec"`
	BytesPerSec   *float64        `json:"bytesPerSec"`
}

// getTopic answers the topic page: partitions with leader, replicas, ISR
// and offsets, and every config with its source.
func (c *Console) getTopic(r *http.Request) (any, error) {
	name := r.PathValue("topic")
	ctx, cancel := c.requestContext(r)
	defer cancel()
	md, err := c.adm.Metadata(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("metadata for topic %s: %w", name, err)
	}
	t, ok := md.Topics[name]
	if !ok {
		return nil, notFound("topic %s does not exist", name)
	}
	if t.Err != nil {
		return nil, kafkaError(t.Err, "topic "+name, "")
	}
	v := topicView{Name: name, ID: base64.RawURLEncoding.EncodeToString(t.ID[:]), Internal: t.IsInternal, Partitions: []partitionView{}, Configs: []configView{}}
	starts, ends, err := c.startEndOffsets(ctx, name)
	if err != nil {
		return nil, err
	}
	stable, err := c.adm.ListCommittedOffsets(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("list last stable offsets: %w", err)
	}
	sizes, err := c.topicSizes(ctx, kadm.TopicsSet{name: nil})
	if err != nil {
		return nil, err
	}
	for _, p := range sortedPartitions(t) {
		pv := partitionView{
			Partition: p.Partition, Leader: p.Leader, LeaderEpoch: p.LeaderEpoch,
			Replicas: nonNil(p.Replicas), ISR: nonNil(p.ISR), Offline: nonNil(p.OfflineReplicas),
			LogStart: offsetOf(starts, name, p.Partition), HighWatermark: offsetOf(ends, name, p.Partition),
			LastStable: offsetOf(stable, name, p.Partition), SizeBytes: sizes[name][p.Partition],
		}
		if p.Err != nil {
			pv.Error = p.Err.Error()
		}
		v.Partitions = append(v.Partitions, pv)
	}
	rcs, err := c.adm.DescribeTopicConfigs(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("describe configs of topic %s: %w", name, err)
	}
	for _, rc := range rcs {
		if rc.Err != nil {
			return nil, kafkaError(rc.Err, rc.ErrMessage, "")
		}
		for _, cfg := range rc.Configs {
			source := strings.ToLower(strings.TrimSuffix(cfg.Source.String(), "_CONFIG"))
			v.Configs = append(v.Configs, configView{
				Name: cfg.Key, Value: cfg.MaybeValue(), Source: source, Sensitive: cfg.Sensitive,
				Default: cfg.Source.String() != "DYNAMIC_TOPIC_CONFIG",
			})
		}
	}
	sort.Slice(v.Configs, func(i, j int) bool { return v.Configs[i].Name < v.Configs[j].Name })
	v.RecordsPerSec, v.BytesPerSec = c.sampler.topicRate(name)
	return v, nil
}

func offsetOf(l kadm.ListedOffsets, topic string, p int32) int64 {
	if o, ok := l.Lookup(topic, p); ok && o.Err == nil {
		return o.Offset
	}
	return -1
}

func nonNil(s []int32) []int32 {
	if s == nil {
		return []int32{}
	}
	return s
}

type alterConfigsRequest struct {
	// Set maps config names to new values; Delete names configs to return
	// to their defaults.
	Set    map[string]string `json:"set"`
	Delete []string          `json:"delete"`
}

// alterTopicConfigs changes topic configs with IncrementalAlterConfigs; the
// broker validates names and values and its message is passed on.
func (c *Console) alterTopicConfigs(r *http.Request) (any, error) {
	name := r.PathValue("topic")
	var req alterConfigsRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	var alters []kadm.AlterConfig
	for k, v := range req.Set {
		if strings.TrimSpace(k) == "" {
			return nil, badField("set", "a config name is empty")
		}
		alters = append(alters, kadm.AlterConfig{Op: kadm.SetConfig, Name: k, Value: kadm.StringPtr(v)})
	}
	for _, k := range req.Delete {
		if strings.TrimSpace(k) == "" {
			return nil, badField("delete", "a config name is empty")
		}
		alters = append(alters, kadm.AlterConfig{Op: kadm.DeleteConfig, Name: k})
	}
	if len(alters) == 0 {
		return nil, badField("set", "nothing to change: give configs to set or delete")
	}
	sort.Slice(alters, func(i, j int) bool { return alters[i].Name < alters[j].Name })
	ctx, cancel := c.requestContext(r)
	defer cancel()
	resps, err := c.adm.AlterTopicConfigs(ctx, alters, name)
	if err != nil {
		return nil, fmt.Errorf("alter configs of topic %s: %w", name, err)
	}
	for _, resp := range resps {
		if resp.Err != nil {
			field := ""
			if errors.Is(resp.Err, kerr.InvalidConfig) || errors.Is(resp.Err, kerr.InvalidRequest) {
				field = "configs"
			}
			return nil, kafkaError(resp.Err, resp.ErrMessage, field)
		}
	}
	return map[string]any{"altered": name}, nil
}
