package metrics

import (
	"cmp"
	"slices"
	"sort"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/proto"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/coordinator/group"
	"github.com/odradek/odradek/internal/metadata"
)

// Consumer group series with kafka_exporter's names and labels, reported
// by each group's coordinator (so once per cluster). As kafka_exporter
// does with its default --offset.show-all, a topic is reported for a group
// when the group has committed an offset for at least one of its
// partitions, and then every partition of the topic is reported: one
// without a committed offset has current_offset -1 and lag -1 (and the -1
// enters current_offset_sum, as there).
const (
	helpCGCurrentOffset    = "Committed offset of a consumer group for a partition (-1 for none)."
	helpCGCurrentOffsetSum = "Sum of a consumer group's committed offsets over a topic's partitions."
	helpCGLag              = "High watermark minus committed offset of a consumer group for a partition (-1 when nothing is committed)."
	helpCGLagSum           = "Sum of a consumer group's lag over a topic's partitions."
	helpCGMembers          = "Members of a consumer group."
	helpCGLagSeconds       = "Age of the first record a consumer group has not consumed (now minus its timestamp); 0 when caught up."
	helpCGCatchUp          = "Estimated time for a consumer group to consume its lag at the consume and produce rates of the last window; +Inf when it does not consume faster than records arrive, 0 with no lag."
	helpCGMaxLagSeconds    = "Largest odradek_consumergroup_lag_seconds over a consumer group's partitions."
	helpCGMaxCatchUp       = "Largest odradek_consumergroup_catchup_seconds over a consumer group's partitions."
	// Group coordinator counts (Kafka's group-coordinator-metrics group,
	// named like the raft-metrics rendering: attribute dashes to
	// underscores).
	helpGCGroups   = "Groups hosted by this coordinator, by protocol (classic, consumer)."
	helpGCClassic  = "Classic groups hosted by this coordinator, by state."
	helpGCConsumer = "Consumer-protocol groups hosted by this coordinator, by state."
	helpGCOffsets  = "Committed offsets held by this coordinator."
	helpGCShards   = "__consumer_offsets partitions this coordinator hosts, by state (loading, active)."
)

var (
	classicStates  = []string{"completingrebalance", "dead", "empty", "preparingrebalance", "stable"}
	consumerStates = []string{"assigning", "dead", "empty", "reconciling", "stable"}
)

type groupCollector struct {
	clk clock.Clock
	src Sources

	mu     sync.Mutex // one scrape at a time owns lag and labels
	lag    *lagTracker
	labels labelCache
}

func newGroupCollector(clk clock.Clock, window time.Duration, src Sources) *groupCollector {
	return &groupCollector{clk: clk, src: src, lag: newLagTracker(window)}
}

// groupFamilies are one scrape's consumer group families.
type groupFamilies struct {
	offset, offsetSum, lag, lagSum, members, lagSecs, catchUp, maxLagSecs, maxCatchUp *dto.MetricFamily
}

func (c *groupCollector) gather(b *familyBuilder) {
	if c.src.Groups == nil || c.src.Image == nil || c.src.Replicas == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	img := c.src.Image()
	var views []group.GroupView
	c.src.Groups.VisitGroups(func(g group.GroupView) { views = append(views, g) })
	slices.SortFunc(views, func(a, b group.GroupView) int { return cmp.Compare(a.ID, b.ID) })

	fs := groupFamilies{
		offset:     b.family("kafka_consumergroup_current_offset", helpCGCurrentOffset, gaugeType),
		offsetSum:  b.family("kafka_consumergroup_current_offset_sum", helpCGCurrentOffsetSum, gaugeType),
		lag:        b.family("kafka_consumergroup_lag", helpCGLag, gaugeType),
		lagSum:     b.family("kafka_consumergroup_lag_sum", helpCGLagSum, gaugeType),
		members:    b.family("kafka_consumergroup_members", helpCGMembers, gaugeType),
		lagSecs:    b.family("odradek_consumergroup_lag_seconds", helpCGLagSeconds, gaugeType),
		catchUp:    b.family("odradek_consumergroup_catchup_seconds", helpCGCatchUp, gaugeType),
		maxLagSecs: b.family("odradek_consumergroup_max_lag_seconds", helpCGMaxLagSeconds, gaugeType),
		maxCatchUp: b.family("odradek_consumergroup_max_catchup_seconds", helpCGMaxCatchUp, gaugeType),
	}
	c.labels.begin()
	c.lag.begin(c.clk.Now())
	offsets := 0
	protocols := map[string]int{"classic": 0, "consumer": 0}
	states := map[string]map[string]int{"classic": zeroCounts(classicStates), "consumer": zeroCounts(consumerStates)}
	for _, g := range views {
		protocols[g.Protocol]++
		offsets += len(g.Offsets)
		if m := states[g.Protocol]; m != nil {
			m[g.State]++
		}
		b.gauge(fs.members, float64(g.Members), c.labels.get(groupLabels(g.ID)))
		c.gatherOffsets(b, &fs, img, g)
	}
	c.lag.end()
	c.labels.sweep()

	countFamily := func(name, help, label string, counts map[string]int) {
		f := b.family(name, help, gaugeType)
		keys := make([]string, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.gauge(f, float64(counts[k]), []*dto.LabelPair{{Name: proto.String(label), Value: proto.String(k)}})
		}
	}
	countFamily("kafka_server_groupcoordinatormetrics_group_count", helpGCGroups, "protocol", protocols)
	countFamily("kafka_server_groupcoordinatormetrics_classic_group_count", helpGCClassic, "state", states["classic"])
	countFamily("kafka_server_groupcoordinatormetrics_consumer_group_count", helpGCConsumer, "state", states["consumer"])
	b.gauge(b.family("kafka_server_groupcoordinatormetrics_num_offsets", helpGCOffsets, gaugeType), float64(offsets), nil)
	loading, active := c.src.Groups.PartitionCounts()
	countFamily("kafka_server_groupcoordinatormetrics_num_partitions", helpGCShards, "state", map[string]int{"loading": loading, "active": active})
}

func zeroCounts(keys []string) map[string]int {
	m := make(map[string]int, len(keys))
	for _, k := range keys {
		m[k] = 0
	}
	return m
}

// gatherOffsets reports a group's offsets and lag, topic by topic; the
// view's offsets come sorted by topic, then partition.
func (c *groupCollector) gatherOffsets(b *familyBuilder, fs *groupFamilies, img *metadata.Image, g group.GroupView) {
	maxLagSecs, maxCatchUp := 0.0, 0.0
	haveLagSecs, haveCatchUp := false, false
	for i := 0; i < len(g.Offsets); {
		j := i
		for j < len(g.Offsets) && g.Offsets[j].Topic == g.Offsets[i].Topic {
			j++
		}
		committed := g.Offsets[i:j]
		topic := committed[0].Topic
		i = j
		t := img.Topic(topic)
		if t == nil {
			continue
		}
		var offsetSum, lagSum int64
		for _, pid := range t.SortedPartitionIDs() {
			lbl := c.labels.get(groupPartitionLabels(g.ID, topic, pid))
			off := committedAt(committed, pid)
			offsetSum += off
			b.gauge(fs.offset, float64(off), lbl)
			part, err := c.src.Replicas.Partition(topic, pid)
			if err != nil {
				// Not hosted here: its high watermark is not known
				// (kafka_exporter likewise skips lag it cannot compute).
				continue
			}
			if off < 0 {
				b.gauge(fs.lag, -1, lbl)
				continue
			}
			hw := part.HighWatermark()
			lag := hw - off
			lagSum += lag
			b.gauge(fs.lag, float64(lag), lbl)
			if secs, ok := c.lag.lagSeconds(part.Log(), topic, pid, off, hw); ok {
				b.gauge(fs.lagSecs, secs, lbl)
				maxLagSecs, haveLagSecs = max(maxLagSecs, secs), true
			}
			if secs, ok := c.lag.catchUpSeconds(g.ID, topic, pid, off, hw); ok {
				b.gauge(fs.catchUp, secs, lbl)
				maxCatchUp, haveCatchUp = max(maxCatchUp, secs), true
			}
		}
		lbl := c.labels.get(groupTopicLabels(g.ID, topic))
		b.gauge(fs.offsetSum, float64(offsetSum), lbl)
		b.gauge(fs.lagSum, float64(lagSum), lbl)
	}
	if haveLagSecs {
		b.gauge(fs.maxLagSecs, maxLagSecs, c.labels.get(groupLabels(g.ID)))
	}
	if haveCatchUp {
		b.gauge(fs.maxCatchUp, maxCatchUp, c.labels.get(groupLabels(g.ID)))
	}
}

// committedAt finds a partition's committed offset in one topic's sorted
// offsets, -1 when there is none.
func committedAt(offsets []group.CommittedOffset, partition int32) int64 {
	i := sort.Search(len(offsets), func(i int) bool { return offsets[i].Partition >= partition })
	if i < len(offsets) && offsets[i].Partition == partition {
		return offsets[i].Offset
	}
	return -1
}
