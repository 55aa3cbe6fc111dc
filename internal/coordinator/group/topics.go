package group

import (
	"slices"
	"sort"
	"sync"

	"github.com/odradek/odradek/internal/coordinator/group/assignor"
	"github.com/odradek/odradek/internal/coordinator/group/consumer"
	"github.com/odradek/odradek/internal/coordinator/runtime"
	"github.com/odradek/odradek/internal/metadata"
)

// internalTopics never appear in a consumer group's view of the cluster,
// as Kafka leaves internal topics out of subscriptions.
var internalTopics = map[string]bool{Topic: true, "__transaction_state": true, "__share_group_state": true}

// topicSource holds the topic image consumer groups assign from. Its
// version grows only when topic names, ids or partition counts change, so
// leadership moves do not make every group recheck its subscriptions.
type topicSource struct {
	mu sync.Mutex
	md consumer.Metadata
}

func (ts *topicSource) get() consumer.Metadata {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.md
}

// set installs topics and reports whether they differ from the last ones.
func (ts *topicSource) set(topics []assignor.Topic) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.md.Version > 0 && slices.EqualFunc(ts.md.Topics, topics, func(a, b assignor.Topic) bool {
		return a.ID == b.ID && a.Name == b.Name && a.Partitions == b.Partitions &&
			slices.EqualFunc(a.PartitionRacks, b.PartitionRacks, slices.Equal[[]string])
	}) {
		return false
	}
	ts.md = consumer.Metadata{Version: ts.md.Version + 1, Topics: topics}
	return true
}

func topicsOf(img *metadata.Image) []assignor.Topic {
	out := make([]assignor.Topic, 0, len(img.TopicsByName))
	for name, t := range img.TopicsByName {
		if internalTopics[name] {
			continue
		}
		out = append(out, assignor.Topic{ID: assignor.TopicID(t.ID), Name: name, Partitions: int32(len(t.Partitions)),
			PartitionRacks: partitionRacks(img, t)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// partitionRacks lists, per partition, the racks of its replicas' brokers
// (nil when no broker has a rack), so the assignors can prefer members in a
// rack that holds the partition (KIP-881 for the consumer protocol).
func partitionRacks(img *metadata.Image, t *metadata.Topic) [][]string {
	var out [][]string
	for id := int32(0); id < int32(len(t.Partitions)); id++ {
		var racks []string
		if p := t.Partitions[id]; p != nil {
			for _, r := range p.Replicas {
				if b := img.Brokers[r]; b != nil && b.Rack != "" && !slices.Contains(racks, b.Rack) {
					racks = append(racks, b.Rack)
				}
			}
		}
		sort.Strings(racks)
		if racks != nil && out == nil {
			out = make([][]string, id, len(t.Partitions))
		}
		if out != nil {
			out = append(out, racks)
		}
	}
	return out
}

// publishTopics hands a changed topic image to every consumer group of the
// active shards. Shards still loading pick it up in Loaded.
func (c *Coordinator) publishTopics(img *metadata.Image) {
	if !c.topics.set(topicsOf(img)) {
		return
	}
	for p, active := range c.rt.Hosted() {
		if !active {
			continue
		}
		_ = c.rt.Read(p, func(rs runtime.Shard, _ *runtime.Timers) error {
			rs.(*shard).refreshMetadata()
			return nil
		})
	}
}

// refreshMetadata installs the newest topic image in the shard's groups;
// it runs under the shard lock.
func (s *shard) refreshMetadata() {
	md := s.topics.get()
	if md.Version == s.md.Version {
		return
	}
	s.md = md
	s.topicIDs = make(map[string][16]byte, len(md.Topics))
	for _, t := range md.Topics {
		s.topicIDs[t.Name] = t.ID
	}
	for _, g := range s.consumers {
		g.SetMetadata(md)
	}
}
